#!/usr/bin/env bash
# Makes what minio/docker-compose.yml needs, once:
#   certs/ca.crt, certs/ca.key        a private CA (give ca.crt to lakevault as S3_CA_BUNDLE)
#   certs/server/public.crt, private.key   MinIO's TLS certificate, signed by that CA,
#                                      for localhost, 127.0.0.1, ::1 and the host "minio"
#   .env                               root user and password, and the KMS secret key that
#                                      turns on SSE-S3 (random; kept if the file exists)
# Usage: minio/gen-certs.sh [extra-host-name ...]   (run again with --force to renew certs)
set -euo pipefail
cd "$(dirname "$0")"
force=0
hosts=()
for arg in "$@"; do
  if [ "$arg" = "--force" ]; then force=1; else hosts+=("$arg"); fi
done

mkdir -p certs/server
if [ "$force" = 1 ] || [ ! -f certs/server/public.crt ]; then
  san="DNS:localhost,DNS:minio,IP:127.0.0.1,IP:::1"
  for host in "${hosts[@]+"${hosts[@]}"}"; do san="$san,DNS:$host"; done
  openssl req -x509 -newkey rsa:2048 -nodes -days 825 -subj "/CN=lakevault MinIO CA" \
    -keyout certs/ca.key -out certs/ca.crt 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
    -keyout certs/server/private.key -out certs/server/server.csr 2>/dev/null
  printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\n' "$san" > certs/server/ext.cnf
  openssl x509 -req -in certs/server/server.csr -CA certs/ca.crt -CAkey certs/ca.key -CAcreateserial \
    -days 825 -extfile certs/server/ext.cnf -out certs/server/public.crt 2>/dev/null
  rm -f certs/server/server.csr certs/server/ext.cnf certs/ca.srl
  # MinIO looks for (and would try to create) CAs/ in its certs directory, mounted read-only.
  mkdir -p certs/server/CAs && cp certs/ca.crt certs/server/CAs/lakevault-ca.crt
  chmod 600 certs/ca.key certs/server/private.key
  # MinIO runs as root in its container; the key must be readable there.
  chmod 644 certs/server/private.key
  echo "certificates: minio/certs/ca.crt (CA), minio/certs/server/public.crt ($san)"
fi

if [ ! -f .env ]; then
  umask 077
  cat > .env <<ENV
# Read by docker compose (minio/docker-compose.yml). Keep it private: it holds secrets.
MINIO_ROOT_USER=lakevault
MINIO_ROOT_PASSWORD=$(openssl rand -hex 20)
# SSE-S3 and bucket encryption: MinIO's built-in KMS key, NAME:BASE64(32 random bytes).
MINIO_KMS_SECRET_KEY=lakevault-key:$(openssl rand -base64 32)
ENV
  echo "secrets: minio/.env (root user, password and KMS key)"
fi
