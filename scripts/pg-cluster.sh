#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests (issue 20): initdb in a temporary folder as a
# non-root user (initdb refuses root: as root, the Debian package's `postgres` user runs it),
# listening on a Unix socket in that folder and on a free loopback port, SCRAM passwords on TCP.
#
#   scripts/pg-cluster.sh start [DIR] [--also-listen ADDR/PREFIX]
#                                       prints the connection URL; DIR/pgpass holds its password
#                                       (libpq's ~/.pgpass format, mode 0600: export PGPASSFILE=DIR/pgpass);
#                                       --also-listen: the server also listens on ADDR (an address of
#                                       this host, e.g. a bridge to network namespaces), takes SCRAM
#                                       logins from ADDR/PREFIX, and pgpass has a line for ADDR
#   scripts/pg-cluster.sh stop DIR      stops the server at once and removes DIR
#
# Durability is off (fsync, synchronous_commit, full_page_writes): the cluster lives for one test run.
set -euo pipefail

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    echo "pg-cluster: no PostgreSQL server in /usr/lib/postgresql/*/bin (Debian package postgresql)" >&2
    exit 1
fi

# Runs a server program as the cluster's owner: this user, or `postgres` when this is root.
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Runs "$@" without the descriptors above 2 this script inherited: the server keeps none of its
# starter's. Foundation's Process learns that its child ended when an inherited socket closes, so
# a server holding one would keep a Swift test that starts a cluster waiting for ever.
without_inherited_fds() {
    (
        for fd in /proc/$BASHPID/fd/*; do
            n=${fd##*/}
            if [ "$n" -gt 2 ]; then eval "exec $n>&-" 2>/dev/null || true; fi
        done
        "$@"
    )
}

case "${1:-}" in
start)
    shift
    dir="" also=""
    while [ $# -gt 0 ]; do
        case "$1" in
        --also-listen) also=${2:?--also-listen needs ADDR/PREFIX}; shift 2 ;;
        *) dir=$1; shift ;;
        esac
    done
    if [ -n "$also" ] && ! [[ "$also" =~ ^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+/[0-9]+$ ]]; then
        echo "pg-cluster: --also-listen takes an IPv4 ADDR/PREFIX (e.g. 10.213.7.1/24), not $also" >&2
        exit 2
    fi
    [ -n "$dir" ] || dir=$(mktemp -d /tmp/callvault-pg.XXXXXX)
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
    chmod 0755 "$dir"
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    password=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
    printf '%s\n' "$password" > "$dir/initdb-password"
    chmod 0644 "$dir/initdb-password"
    as_owner "$bin/initdb" -D "$dir/data" -U callvault --pwfile="$dir/initdb-password" \
        --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
        || { echo "pg-cluster: initdb failed (see $dir/initdb.log)" >&2; cat "$dir/initdb.log" >&2; exit 1; }
    rm -f "$dir/initdb-password"
    listen=127.0.0.1
    if [ -n "$also" ]; then
        listen="127.0.0.1,${also%/*}"
        # Logins from the network of ADDR/PREFIX (e.g. 10.213.7.0/24 for 10.213.7.1/24).
        network=$(python3 -c 'import ipaddress, sys; print(ipaddress.ip_interface(sys.argv[1]).network)' "$also")
        printf 'host all all %s scram-sha-256\n' "$network" >> "$dir/data/pg_hba.conf"
    fi
    without_inherited_fds as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses=$listen -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
        start >/dev/null \
        || { echo "pg-cluster: the server did not start (see $dir/server.log)" >&2; cat "$dir/server.log" >&2; exit 1; }
    as_owner "$bin/createdb" -h "$dir" -p "$port" -U callvault callvault
    # The password where libpq (and callvault) look for it: HOST:PORT:DATABASE:USER:PASSWORD.
    umask 077
    printf '127.0.0.1:%s:*:callvault:%s\n' "$port" "$password" > "$dir/pgpass"
    [ -z "$also" ] || printf '%s:%s:*:callvault:%s\n' "${also%/*}" "$port" "$password" >> "$dir/pgpass"
    chmod 0600 "$dir/pgpass"
    echo "postgres://callvault@127.0.0.1:$port/callvault?sslmode=disable"
    ;;
stop)
    dir=${2:?usage: pg-cluster.sh stop DIR}
    if [ -f "$dir/data/postmaster.pid" ]; then
        as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
*)
    echo "usage: scripts/pg-cluster.sh start [DIR] [--also-listen ADDR/PREFIX] | stop DIR" >&2
    exit 2
    ;;
esac
