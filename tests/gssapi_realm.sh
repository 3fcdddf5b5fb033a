#!/bin/sh
# Runs a command inside a throwaway Kerberos realm, for the GSSAPI tests.
#
#   tests/gssapi_realm.sh COMMAND [ARG...]
#
# It creates the realm MODZMQ.TEST in a temporary directory with MIT's
# kdb5_util and kadmin.local (Debian: krb5-kdc, krb5-admin-server), with a
# service principal zmqtest/localhost and a client principal zmqclient, each
# with its own keytab, and a service zmqother/localhost that no keytab holds, starts krb5kdc on a free loopback port above 20000,
# gets the client a ticket, and runs the command with the Kerberos
# environment pointing into that directory:
#
#   KRB5_CONFIG, KRB5_KDC_PROFILE   the realm's krb5.conf and kdc.conf
#   KRB5_KTNAME                     the service's keytab (acceptor side)
#   KRB5_CLIENT_KTNAME              the client's keytab (initiator side)
#   KRB5CCNAME                      the client's credential cache
#   KRB5RCACHEDIR                   the acceptor's replay cache
#   MODZMQ_TEST_REALM               the realm's name, MODZMQ.TEST
#   MODZMQ_TEST_REALM_DIR           the directory (tests may add files)
#
# The KDC is stopped and the directory removed when the script ends, however
# it ends. Every wait is bounded. When the KDC tools are missing, the command
# still runs, without MODZMQ_TEST_REALM, so that it can report the skip.
set -u

realm=MODZMQ.TEST
service=zmqtest/localhost
client=zmqclient
other=zmqother/localhost

if [ $# -eq 0 ]; then
    echo "usage: $0 COMMAND [ARG...]" >&2
    exit 2
fi

# Debian puts the KDC tools in /usr/sbin, which a user's PATH may lack.
PATH=$PATH:/usr/sbin:/sbin
export PATH
for tool in kdb5_util kadmin.local krb5kdc kinit; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "gssapi_realm: $tool not found (install krb5-kdc, krb5-admin-server, krb5-user)" >&2
        MODZMQ_TEST_REALM_MISSING="$tool not found"
        export MODZMQ_TEST_REALM_MISSING
        exec "$@"
    fi
done

dir=$(mktemp -d "${TMPDIR:-/tmp}/modzmq-krb5.XXXXXX") || exit 1
kdc_pid=
stop_realm() {
    if [ -n "$kdc_pid" ]; then
        kill "$kdc_pid" 2>/dev/null
        # At most 5 s for a clean exit, then no more patience.
        tries=0
        while kill -0 "$kdc_pid" 2>/dev/null && [ $tries -lt 50 ]; do
            sleep 0.1
            tries=$((tries + 1))
        done
        kill -9 "$kdc_pid" 2>/dev/null
        wait "$kdc_pid" 2>/dev/null
        kdc_pid=
    fi
    rm -rf "$dir"
}
trap stop_realm EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

KRB5_CONFIG=$dir/krb5.conf
KRB5_KDC_PROFILE=$dir/kdc.conf
KRB5_KTNAME=FILE:$dir/service.keytab
KRB5_CLIENT_KTNAME=FILE:$dir/client.keytab
KRB5CCNAME=FILE:$dir/client.ccache
KRB5RCACHEDIR=$dir
export KRB5_CONFIG KRB5_KDC_PROFILE KRB5_KTNAME KRB5_CLIENT_KTNAME KRB5CCNAME \
    KRB5RCACHEDIR

write_config() {
    port=$1
    cat >"$KRB5_CONFIG" <<EOF
[libdefaults]
    default_realm = $realm
    dns_lookup_kdc = false
    dns_lookup_realm = false
    dns_canonicalize_hostname = false
    rdns = false
    ignore_acceptor_hostname = false
[realms]
    $realm = {
        kdc = 127.0.0.1:$port
    }
[domain_realm]
    localhost = $realm
EOF
    cat >"$KRB5_KDC_PROFILE" <<EOF
[kdcdefaults]
    kdc_listen = 127.0.0.1:$port
    kdc_tcp_listen = 127.0.0.1:$port
[realms]
    $realm = {
        database_name = $dir/principal
        key_stash_file = $dir/stash
        acl_file = $dir/kadm5.acl
        max_life = 1h
        supported_enctypes = aes256-cts-hmac-sha1-96:normal aes128-cts-hmac-sha1-96:normal
    }
[logging]
    kdc = FILE:$dir/kdc.log
EOF
}

fail() {
    echo "gssapi_realm: $*" >&2
    [ -f "$dir/kdc.log" ] && tail -n 5 "$dir/kdc.log" >&2
    exit 1
}

# The database does not depend on the port, so it is made once.
write_config 0
: >"$dir/kadm5.acl"
kdb5_util create -s -r "$realm" -P "modzmq-test-master" >"$dir/setup.log" 2>&1 ||
    fail "kdb5_util create failed: $(tail -n 1 "$dir/setup.log")"
for principal in "$service" "$client" "$other"; do
    kadmin.local -r "$realm" -q "addprinc -randkey $principal" >>"$dir/setup.log" 2>&1 ||
        fail "cannot add $principal"
done
kadmin.local -r "$realm" -q "ktadd -k $dir/service.keytab $service" >>"$dir/setup.log" 2>&1 ||
    fail "cannot write the service keytab"
kadmin.local -r "$realm" -q "ktadd -k $dir/client.keytab $client" >>"$dir/setup.log" 2>&1 ||
    fail "cannot write the client keytab"

# A port is free if the KDC can bind it: try a few random ones, each for at
# most 5 s (the client's kinit succeeding is the sign the KDC serves).
attempt=0
while [ $attempt -lt 5 ]; do
    attempt=$((attempt + 1))
    port=$((20000 + $(od -An -N2 -tu2 /dev/urandom) % 30000))
    write_config "$port"
    krb5kdc -n -r "$realm" >>"$dir/kdc.stderr" 2>&1 &
    kdc_pid=$!
    tries=0
    while [ $tries -lt 50 ]; do
        kill -0 "$kdc_pid" 2>/dev/null || break
        if kinit -k -t "$dir/client.keytab" "$client" >>"$dir/kinit.log" 2>&1; then
            break 2
        fi
        sleep 0.1
        tries=$((tries + 1))
    done
    kill "$kdc_pid" 2>/dev/null
    wait "$kdc_pid" 2>/dev/null
    kdc_pid=
done
[ -n "$kdc_pid" ] || fail "krb5kdc did not start on a loopback port"

MODZMQ_TEST_REALM=$realm
MODZMQ_TEST_REALM_DIR=$dir
export MODZMQ_TEST_REALM MODZMQ_TEST_REALM_DIR
"$@"
status=$?
exit $status
