#!/usr/bin/env bash
# Da de alta, como root, las cuentas Unix de la clase en el hub: una línea "usuario:contraseña" por
# cuenta en la entrada estándar. Cada cuenta va al grupo de su papel y recibe un home privado (0700:
# nadie más lee su trabajo). Los profesores reciben además la raíz del curso en ~/modulo7.
#   deploy/alta-usuarios.sh profes  < profes.txt
#   deploy/alta-usuarios.sh alumnos < alumnos.txt
set -euo pipefail
role=${1:?uso: $0 profes|alumnos < cuentas (usuario:contraseña por línea)}
case "$role" in profes|alumnos) ;; *) echo "papel desconocido: $role (profes o alumnos)" >&2; exit 2 ;; esac
[ "$(id -u)" = 0 ] || { echo "hay que ejecutarlo como root" >&2; exit 1; }
kit=$(cd "$(dirname "$0")/.." && pwd)
group="modulo7-$role"
getent group "$group" >/dev/null || groupadd "$group"

while IFS=: read -r user password; do
  [ -n "$user" ] || continue
  if ! id "$user" >/dev/null 2>&1; then
    useradd --create-home --shell /bin/bash --groups "$group" "$user"
  else
    usermod --append --groups "$group" "$user"
  fi
  chmod 0700 "$(getent passwd "$user" | cut -d: -f6)"
  printf '%s:%s\n' "$user" "$password" | chpasswd
  if [ "$role" = profes ]; then
    home=$(getent passwd "$user" | cut -d: -f6)
    mkdir -p "$home/modulo7"
    cp -r "$kit/lessons" "$kit/source" "$kit/release" "$kit/nbgrader_config.py" "$home/modulo7/"
    chown -R "$user:" "$home/modulo7"
  fi
  echo "alta: $user ($group)"
done
