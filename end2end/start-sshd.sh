#!/usr/bin/env bash
# A throwaway OpenSSH sshd on 127.0.0.1 for the end-to-end tests: its own host key and config
# in end2end/.sshd, logging in the cloudshell-sshtest account (scripts/bootstrap.sh test).
set -euo pipefail
cd "$(dirname "$0")"
DIR="$PWD/.sshd"
PORT="${E2E_SSHD_PORT:-3122}"
rm -rf "$DIR"
mkdir -p "$DIR" /run/sshd
ssh-keygen -q -t ed25519 -N "" -C cloudshell-e2e -f "$DIR/host_ed25519"
cat > "$DIR/sshd_config" <<CONF
Port $PORT
ListenAddress 127.0.0.1
HostKey $DIR/host_ed25519
PidFile $DIR/sshd.pid
StrictModes no
UsePAM no
PasswordAuthentication yes
KbdInteractiveAuthentication no
AllowUsers cloudshell-sshtest
Subsystem sftp internal-sftp
LogLevel ERROR
CONF
exec /usr/sbin/sshd -D -e -f "$DIR/sshd_config"
