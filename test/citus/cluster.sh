# test/citus/cluster.sh — a Citus cluster on loopback for test/citus and the
# bench: a coordinator and two workers, each a cluster of scripts/lib/cluster.sh
# with citus preloaded before bigpicture, the same master key (every node may
# sign), and trust for loopback TCP between them (Citus connects node to node
# over TCP as the current user; a real deployment uses certificates or
# pg_dist_authinfo, docs/scaling.md).  Sourced after scripts/lib/cluster.sh.

# bp_citus_create BASE PORT — BASE/coord, BASE/w1, BASE/w2 on PORT, PORT+1, PORT+2.
bp_citus_create() {
	local base=$1 port=$2 node i=0 key_conf
	bp_owner_dir "$base"
	key_conf=$(bp_master_key_conf "$base") || return 1
	for node in coord w1 w2; do
		bp_cluster_create "$base/$node" $((port + i)) "$key_conf" \
			"shared_preload_libraries = 'citus,bigpicture'" "fsync = off" "synchronous_commit = off" \
			"full_page_writes = off" "log_min_messages = warning" "bigpicture.worker_database = ''" \
			"max_connections = 100" "max_prepared_transactions = 100" "citus.shard_count = 8" "citus.node_conninfo = 'sslmode=disable'" || return 1
		# loopback TCP between the nodes, before the scram line initdb wrote
		bp_as_owner sed -i '1i host all all 127.0.0.1/32 trust' "$base/$node/data/pg_hba.conf"
		i=$((i + 1))
	done
}

bp_citus_start() {
	local node
	for node in coord w1 w2; do bp_cluster_start "$1/$node" || return 1; done
}

bp_citus_stop() {
	local node
	for node in coord w1 w2; do bp_cluster_stop "$1/$node" 2>/dev/null; done
	return 0
}

# bp_citus_database PORT DB — DB on the three nodes, each with CREATE EXTENSION
# citus (the step of docs/scaling.md that runs on every node).
bp_citus_database() {
	local p
	for p in "$1" $(($1 + 1)) $(($1 + 2)); do
		psql -X -q -h 127.0.0.1 -p "$p" -U postgres -d postgres -c "CREATE DATABASE $2" >/dev/null &&
			psql -X -q -h 127.0.0.1 -p "$p" -U postgres -d "$2" -c "CREATE EXTENSION citus" >/dev/null || return 1
	done
}

# bp_citus_setup_sql PORT — the setup of docs/scaling.md (the block after
# <!-- citus-setup -->) for the nodes on PORT, PORT+1, PORT+2: the test and
# the bench run exactly what the documentation shows.
bp_citus_setup_sql() {
	local setup
	setup=$(awk '/<!-- citus-setup -->/ {on = 1; next} on && /^```/ {if (started) exit; started = 1; next} on && started' docs/scaling.md)
	setup=${setup//:coordinator_port/$1}
	setup=${setup//:worker1_port/$(($1 + 1))}
	setup=${setup//:worker2_port/$(($1 + 2))}
	printf '%s\n' "$setup"
}
