# cluster.sh — throwaway PostgreSQL clusters for the test driver and the demo.
# Sourced, not run.  Clusters listen on 127.0.0.1 only, and on a Unix socket in
# a directory of their own.  initdb refuses to run as root, so as root every
# server-side command runs as the `postgres` OS user; otherwise as the caller.

BP_PGBIN=$(pg_config --bindir)

# Run a command as the cluster's OS owner.
bp_as_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

# Print the first port from $1 upward that can be bound on loopback now.
# Callers pick ports below Linux's ephemeral range (32768-60999): there a
# client connection of any test can hold a port that no listen check sees,
# and a server started on it fails with "Address already in use".  The check
# binds (as the server will) rather than connects, so a port held by an
# outgoing connection or a socket in TIME_WAIT is skipped too.
bp_free_port() {
	local port=${1:-25432}
	until python3 -c 'import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))' "$port" 2>/dev/null; do
		port=$((port + 1))
	done
	echo "$port"
}

# Make a directory the cluster owner can use.
bp_owner_dir() {
	mkdir -p "$1"
	[ "$(id -u)" -eq 0 ] && chown postgres:postgres "$1"
	chmod 700 "$1"
}

# bp_cluster_create BASE PORT [extra postgresql.conf lines...]
# BASE/data is the data directory, BASE/run the socket directory, BASE/log
# the server log.  Local socket connections are trusted (the socket directory
# is private); TCP connections need a password.
bp_cluster_create() {
	local base=$1 port=$2
	shift 2
	if [ ${#base} -gt 90 ]; then
		echo "cluster: path too long for a Unix socket: $base" >&2
		return 1
	fi
	bp_owner_dir "$base"
	bp_owner_dir "$base/run"
	bp_owner_dir "$base/log"
	bp_as_owner "$BP_PGBIN/initdb" -D "$base/data" -U postgres -E UTF8 --locale=C.UTF-8 \
		--auth-local=trust --auth-host=scram-sha-256 >"$base/log/initdb.log" 2>&1 || {
		cat "$base/log/initdb.log" >&2
		return 1
	}
	{
		echo "# written by scripts/lib/cluster.sh"
		echo "listen_addresses = '127.0.0.1'"
		echo "port = $port"
		echo "unix_socket_directories = '$base/run'"
		echo "shared_preload_libraries = 'bigpicture'"
		echo "max_connections = 50"
		local line
		for line in "$@"; do echo "$line"; done
	} | bp_as_owner tee -a "$base/data/postgresql.conf" >/dev/null
}

# bp_cluster_start BASE
bp_cluster_start() {
	bp_as_owner "$BP_PGBIN/pg_ctl" -D "$1/data" -l "$1/log/postgresql.log" -w -t 60 start >/dev/null || {
		echo "cluster: server did not start; log follows" >&2
		tail -n 30 "$1/log/postgresql.log" >&2
		return 1
	}
}

# bp_cluster_stop BASE — quiet when nothing runs.
bp_cluster_stop() {
	[ -f "$1/data/postmaster.pid" ] || return 0
	bp_as_owner "$BP_PGBIN/pg_ctl" -D "$1/data" -m fast -w -t 60 stop >/dev/null
}

# bp_cluster_env BASE PORT — export libpq variables for the cluster.
bp_cluster_env() {
	export PGHOST="$1/run" PGPORT="$2" PGUSER=postgres
	unset PGDATABASE PGPASSWORD PGSERVICE
}

# bp_master_key_conf BASE — create BASE/master.key (outside the data
# directory, owned by the server user, mode 600) unless it exists, and print
# the postgresql.conf line that makes the server load it.
bp_master_key_conf() {
	local file="$1/master.key"
	if [ ! -f "$file" ]; then
		bp_as_owner "$BP_PGBIN/bigpicture-master-key" --generate "$file" >&2 || return 1
	fi
	echo "bigpicture.master_key_command = '$BP_PGBIN/bigpicture-master-key $file'"
}
