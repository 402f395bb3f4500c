"""busybox ``wget``, ``nslookup`` and ``ping`` over the simulated networks and embedded DNS.

Why: these three tools are how a lesson looks at networking from inside a container, and their
output is what a student reads and an exercise may parse. They print busybox 1.35's text
byte for byte for the cases modelled here (found, not found, refused, HTTP errors) and take the
virtual time the real tool would (``ping`` one second per packet, timeouts).
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from . import dns
from .errors import NotSupported
from .filesystem import FsError, normalize
from .web import ConnectTimeout, HostUnreachable, http_request

CONNECT_TIMEOUT = 127.0  # seconds Linux retries a SYN before "Connection timed out"
ARP_TIMEOUT = 3.0  # seconds before "No route to host" for an address nobody holds

WGET_USAGE = (
    "BusyBox v1.35.0 (Debian 1:1.35.0-4+deb12u1+b1) multi-call binary.\n\n"
    "Usage: wget [-cqS] [--spider] [-O FILE] [-o LOGFILE] [--header STR]\n"
    "\t[--post-data STR | --post-file FILE] [-Y on/off]\n"
    "\t[--no-check-certificate] [-P DIR] [-U AGENT] URL...\n\n"
    "Retrieve files via HTTP or FTP\n"
)
STATUS_TEXT = {200: "OK", 404: "Not Found", 500: "Internal Server Error"}


def _is_ip(text: str) -> bool:
    try:
        ipaddress.IPv4Address(text)
        return True
    except ValueError:
        return False


def lookup(process, host: str) -> list[str] | None:
    """Addresses for ``host`` as the container's resolver gives them."""
    if host in ("localhost", "127.0.0.1"):
        return ["127.0.0.1"]
    process.outside = True  # what it reaches depends on other containers (health.py's steady)
    if _is_ip(host):
        return [host]
    if host == process.hostname:  # /etc/hosts names the container's own hostname
        own = [ep.ip for ep in process.container.endpoints.values() if ep.ip]
        return own or None
    return dns.resolve(process.engine, process.container, host)


def _parse_wget(argv):
    opts = {"quiet": False, "output": None, "spider": False, "timeout": None}
    args, urls = iter(argv[1:]), []
    for arg in args:
        if arg == "--spider":
            opts["spider"] = True
        elif arg.startswith("--"):
            return None, f"wget: unrecognized option '{arg}'\n"
        elif arg.startswith("-") and len(arg) > 1:
            letters = arg[1:]
            while letters:
                letter, letters = letters[0], letters[1:]
                if letter == "q":
                    opts["quiet"] = True
                elif letter in "OT":
                    value = letters or next(args, None)
                    letters = ""
                    if value is None:
                        return None, f"wget: option requires an argument -- '{letter}'\n"
                    opts["output" if letter == "O" else "timeout"] = value
                else:
                    raise NotSupported(f"la opción -{letter} de wget")
        else:
            urls.append(arg)
    if not urls:
        return None, ""
    return (opts, urls), None


def wget(process, argv):
    parsed, problem = _parse_wget(argv)
    if parsed is None:
        process.error(problem + WGET_USAGE)
        return 1
    opts, urls = parsed
    status = 0
    for url in urls:
        status = _wget_one(process, opts, url) or status
    return status


def _wget_one(process, opts, url: str) -> int:
    parts = urlsplit(url if "://" in url else "http://" + url)
    if parts.scheme != "http":
        raise NotSupported(f"wget con {parts.scheme}:// (solo http:// dentro del simulador)")
    host, port = parts.hostname or "", parts.port or 80
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    addresses = lookup(process, host)
    if not addresses:
        process.error(f"wget: bad address '{host}'\n")
        return 1
    address = addresses[0]
    if not opts["quiet"]:
        process.error(f"Connecting to {host} ({address}:{port})\n")
    timeout = float(opts["timeout"]) if opts["timeout"] else None
    try:
        code, body = http_request(process.engine, address, port, path, source=process.container)
    except ConnectionRefusedError:
        process.error(f"wget: can't connect to remote host ({address}): Connection refused\n")
        return 1
    except (HostUnreachable, ConnectTimeout) as error:
        waited = ARP_TIMEOUT if isinstance(error, HostUnreachable) else CONNECT_TIMEOUT
        if timeout is not None and timeout < waited:
            process.sleep(timeout)
            process.error("wget: download timed out\n")
            return 1
        process.sleep(waited)
        reason = "No route to host" if isinstance(error, HostUnreachable) else \
            "Connection timed out"
        process.error(f"wget: can't connect to remote host ({address}): {reason}\n")
        return 1
    if code != 200:
        process.error(f"wget: server returned error: HTTP/1.1 {code} "
                      f"{STATUS_TEXT.get(code, 'Error')}\n")
        return 1
    if opts["spider"]:
        if not opts["quiet"]:
            process.error("remote file exists\n")
        return 0
    data = body.encode()
    target = opts["output"] or (parts.path.rsplit("/", 1)[-1] or "index.html")
    to_stdout = target == "-"
    if not opts["quiet"]:
        process.error("writing to stdout\n" if to_stdout else f"saving to '{target}'\n")
    if to_stdout:
        process.write(data)
    else:
        path_out = normalize(target, process.cwd)
        if opts["output"] is None and process.files.exists(path_out):
            process.error(f"wget: can't open '{target}': File exists\n")
            return 1
        try:
            process.files.write(path_out, data)
        except FsError as error:
            process.error(f"wget: can't open '{target}': {error.reason}\n")
            return 1
    if not opts["quiet"]:
        label = "-" if to_stdout else target
        process.error(f"{label:<20.20s}{100:4d}% |{'*' * 32}| {len(data):5d}  0:00:00 ETA\n")
        process.error("written to stdout\n" if to_stdout else f"'{target}' saved\n")
    return 0


def nslookup(process, argv):
    names = [a for a in argv[1:] if not a.startswith("-")]
    if len(names) != 1:
        raise NotSupported("nslookup con opciones o con un servidor (usa: nslookup NOMBRE)")
    name = names[0]
    process.outside = True
    if _is_ip(name):
        raise NotSupported("las búsquedas inversas de nslookup (nslookup IP)")
    server = dns.server_for(process.container)
    header = f"Server:\t\t{server}\nAddress:\t{server}:53\n\n"
    answers = dns.resolve(process.engine, process.container, name) \
        if server == dns.EMBEDDED_DNS else None
    if answers is None and "." in name.rstrip("."):
        # an outside name: the embedded DNS would forward it, but the simulator has no Internet
        process.write(";; connection timed out; no servers could be reached\n\n")
        process.sleep(15.0)
        return 1
    if answers is None:
        miss = f"** server can't find {name}: NXDOMAIN\n\n"
        process.write(header + miss + miss)
        return 1
    found = "".join(f"Name:\t{name}\nAddress: {ip}\n" for ip in answers)
    process.write(header + "Non-authoritative answer:\n" + found +
                  "\nNon-authoritative answer:\n\n")
    return 0


def ping(process, argv):
    count, host, args = None, None, iter(argv[1:])
    for arg in args:
        if arg == "-c":
            count = int(next(args, "0"))
        elif arg.startswith("-c") and arg[2:].isdigit():
            count = int(arg[2:])
        elif arg in ("-q", "-4"):
            continue
        elif arg.startswith("-"):
            raise NotSupported(f"la opción {arg} de ping (usa ping -c N NOMBRE)")
        else:
            host = arg
    if host is None:
        process.error("ping: missing host\n" if count is not None else
                      "BusyBox v1.35.0 multi-call binary.\n\nUsage: ping [OPTIONS] HOST\n")
        return 1
    if count is None:
        process.block("ping sin -c")
        return 0
    addresses = lookup(process, host)
    if not addresses:
        process.error(f"ping: bad address '{host}'\n")
        return 1
    address = addresses[0]
    from .web import route

    try:
        target = route(process.engine, address, process.container)
        answers = target.status == "running"
    except ConnectionError:
        answers = False
    lines = [f"PING {host} ({address}): 56 data bytes\n"]
    times = []
    for seq in range(count):
        if answers:
            ms = round(process.engine.rng.uniform(0.05, 0.4), 3)
            times.append(ms)
            lines.append(f"64 bytes from {address}: seq={seq} ttl=64 time={ms:.3f} ms\n")
    process.sleep(max(0, count - 1) + (0.0 if answers else 10.0))
    received = len(times)
    loss = 100 * (count - received) // count if count else 0
    lines.append(f"\n--- {host} ping statistics ---\n"
                 f"{count} packets transmitted, {received} packets received, {loss}% packet loss\n")
    if times:
        lines.append(f"round-trip min/avg/max = {min(times):.3f}/"
                     f"{sum(times) / len(times):.3f}/{max(times):.3f} ms\n")
    process.write("".join(lines))
    return 0 if received else 1


NET_APPLETS = {"wget": wget, "nslookup": nslookup, "ping": ping}
