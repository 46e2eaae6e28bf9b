#!/usr/bin/env bash
# Ceph RADOS Gateway on 127.0.0.1 for integration tests, CI and benchmarks:
# one monitor + one OSD (bluestore on a sparse file) + radosgw (beast, HTTP and HTTPS).
#
#   scripts/rgw.sh start    install ceph from Debian if missing, start, create the S3 user
#   scripts/rgw.sh stop     stop the daemons
#   scripts/rgw.sh env      print the variables that point lakevault at it (source-able)
#
# A second cluster can run beside the first (e.g. for benchmarks) with its own RGW_BASE,
# RGW_HTTP_PORT, RGW_HTTPS_PORT, RGW_MON_PORT_V2, RGW_MON_PORT_V1, RGW_OSD_PORT_MIN/MAX.
#
# Settings that matter (measured; see docs/S3-SERVERS.md): auth none + ms_mon_client_mode=crc
# (or radosgw hangs on get_initial_auth_request -13); pools of size 1; bluestore keeps
# memory flat where memstore keeps every object in RAM; SSE-KMS via the testing backend.
set -euo pipefail
BASE=${RGW_BASE:-/tmp/lakevault-rgw}
CONF=$BASE/ceph.conf
HTTP_PORT=${RGW_HTTP_PORT:-17480}
HTTPS_PORT=${RGW_HTTPS_PORT:-17443}
ACCESS_KEY=${RGW_ACCESS_KEY:-LAKEVAULTTESTKEY0001}
SECRET_KEY=${RGW_SECRET_KEY:-lakevaulttestsecret000000000000000000001}
MON_PORT_V2=${RGW_MON_PORT_V2:-13300}
MON_PORT_V1=${RGW_MON_PORT_V1:-16789}
OSD_PORT_MIN=${RGW_OSD_PORT_MIN:-16800}
OSD_PORT_MAX=${RGW_OSD_PORT_MAX:-17300}
MON="[v2:127.0.0.1:$MON_PORT_V2,v1:127.0.0.1:$MON_PORT_V1]"

print_env() {
  cat <<ENV
export S3_ENDPOINT=http://127.0.0.1:$HTTP_PORT
export S3_ENDPOINT_HTTPS=https://127.0.0.1:$HTTPS_PORT
export S3_TEST_CA=$BASE/tls/ca.crt
export AWS_ACCESS_KEY_ID=$ACCESS_KEY
export AWS_SECRET_ACCESS_KEY=$SECRET_KEY
export AWS_REGION=us-east-1
export S3_FORCE_PATH_STYLE=true
export RGW_BASE=$BASE
ENV
}

# A pid file a dead daemon left names a number the system may have given to another
# process since (another cluster's radosgw, on a shared machine): only a process running
# with this cluster's ceph.conf is ours to stop.
ours() {
  tr '\0' ' ' < "/proc/$1/cmdline" 2>/dev/null | grep -qF -- "-c $BASE/ceph.conf"
}

stop() {
  for name in client.rgw.a osd.0 mon.a; do
    pid=$(cat "$BASE/run/$name.pid" 2>/dev/null) || continue
    ours "$pid" || continue
    kill "$pid" 2>/dev/null || continue
    for _ in $(seq 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
  done
}

install_if_missing() {
  command -v radosgw >/dev/null && command -v ceph-osd >/dev/null && command -v ceph-mon >/dev/null && return
  echo "installing Ceph (mon, osd, radosgw) from Debian..." >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    ceph-mon ceph-osd radosgw ceph-common uuid-runtime openssl curl >/dev/null
}

make_tls() { # a CA, a server certificate it signed (SAN 127.0.0.1, localhost), and an expired one
  mkdir -p "$BASE/tls"; cd "$BASE/tls"
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=lakevault-test-ca -keyout ca.key -out ca.crt 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj /CN=localhost -keyout srv.key -out srv.csr 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' > ext.cnf
  openssl x509 -req -in srv.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 30 -extfile ext.cnf -out srv.crt 2>/dev/null
  cat srv.crt srv.key > srv.pem
  cd - >/dev/null
}

start() {
  local t0; t0=$(date +%s)
  install_if_missing
  stop
  rm -rf "$BASE"; mkdir -p "$BASE"/{mon/ceph-a,osd/ceph-0,run,log}
  make_tls
  local fsid; fsid=$(uuidgen)
  cat > "$CONF" <<CONFEOF
[global]
fsid = $fsid
mon_host = $MON
auth_cluster_required = none
auth_service_required = none
auth_client_required = none
ms_mon_client_mode = crc
run_dir = $BASE/run
admin_socket = $BASE/run/\$name.asok
pid_file = $BASE/run/\$name.pid
log_file = $BASE/log/\$name.log
ms_bind_port_min = $OSD_PORT_MIN
ms_bind_port_max = $OSD_PORT_MAX
osd_pool_default_size = 1
osd_pool_default_min_size = 1
osd_pool_default_pg_num = 8
osd_pool_default_pg_autoscale_mode = off
osd_crush_chooseleaf_type = 0
mon_allow_pool_size_one = true
mon_max_pg_per_osd = 1000
mon_warn_on_pool_no_redundancy = false
[mon]
mon_data = $BASE/mon/ceph-\$id
[osd]
osd_data = $BASE/osd/ceph-\$id
osd_objectstore = bluestore
bluestore_block_path = $BASE/osd/ceph-\$id.block
bluestore_block_create = true
bluestore_block_size = 21474836480
osd_memory_target = 1073741824
[client.rgw.a]
rgw_data = $BASE
rgw_frontends = beast endpoint=127.0.0.1:$HTTP_PORT ssl_endpoint=127.0.0.1:$HTTPS_PORT ssl_certificate=$BASE/tls/srv.pem
rgw_crypt_require_ssl = false
rgw_crypt_s3_kms_backend = testing
rgw_crypt_s3_kms_encryption_keys = testkey-1=YmluCmJvb3N0CmJvb3N0LWJ1aWxkCmNlcGguY29uZgo=
CONFEOF
  monmaptool --create --fsid "$fsid" --addv a "$MON" "$BASE/monmap" >/dev/null
  ceph-mon -c "$CONF" --mkfs -i a --monmap "$BASE/monmap"
  ceph-mon -c "$CONF" -i a
  local uuid id; uuid=$(uuidgen); id=$(ceph -c "$CONF" osd new "$uuid")
  ceph-osd -c "$CONF" -i "$id" --mkfs --osd-uuid "$uuid" > "$BASE/log/mkfs.out" 2>&1 || { cat "$BASE/log/mkfs.out" >&2; exit 1; }
  ceph-osd -c "$CONF" -i "$id" 2>> "$BASE/log/osd.err"
  for _ in $(seq 120); do ceph -c "$CONF" osd stat 2>/dev/null | grep -q ' 1 up' && break; sleep 0.5; done
  radosgw -c "$CONF" -n client.rgw.a
  local ready=0
  for _ in $(seq 240); do curl -sf -o /dev/null "http://127.0.0.1:$HTTP_PORT/" && { ready=1; break; }; sleep 0.5; done
  [ "$ready" = 1 ] || { echo "radosgw did not answer on port $HTTP_PORT; see $BASE/log" >&2; exit 1; }
  radosgw-admin -c "$CONF" user create --uid=lakevault --display-name=lakevault \
    --access-key="$ACCESS_KEY" --secret-key="$SECRET_KEY" >/dev/null
  print_env > "$BASE/env.sh"
  echo "RGW ready after $(( $(date +%s) - t0 ))s: http://127.0.0.1:$HTTP_PORT https://127.0.0.1:$HTTPS_PORT (CA $BASE/tls/ca.crt; source $BASE/env.sh)" >&2
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  env) print_env ;;
  *) echo "usage: $0 start|stop|env" >&2; exit 2 ;;
esac
