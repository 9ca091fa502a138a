#!/usr/bin/env bash
# bench/run.sh: time the callops binary at enterprise scale against its
# floors (DESIGN.md section 7) and print one markdown table.
#
#   bench/run.sh                 # 2,000 and 5,000 policies x 25 users, 5% drift, median of 5 runs
#   RUNS=3 SIZES="2000 5000" USERS=25 DRIFT=0.05 bench/run.sh
#
# Needs: go, /usr/bin/time (GNU), network access once to build cue v0.17.1
# (or CUE=/path/to/cue). Commands callops does not have yet print n/a.
set -euo pipefail

RUNS=${RUNS:-5}
SIZES=${SIZES:-"2000 5000"}
USERS=${USERS:-25}
DRIFT=${DRIFT:-0.05}
CUE_VERSION=v0.17.1

root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/callops-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cd "$root"

log() { printf '%s\n' "$*" >&2; }

if [[ ! -x /usr/bin/time ]]; then
	log "bench/run.sh: GNU time (/usr/bin/time) is needed for peak RSS"
	exit 1
fi

log "building callops, callops-gen and cue $CUE_VERSION into $tmp"
go build -o "$tmp/callops" ./cmd/callops
go build -o "$tmp/callops-gen" ./internal/gen/cmd/callops-gen
CUE=${CUE:-}
if [[ -z "$CUE" ]]; then
	if GOBIN="$tmp" go install "cuelang.org/go/cmd/cue@$CUE_VERSION" >&2; then
		CUE="$tmp/cue"
	else
		log "bench/run.sh: could not build cue $CUE_VERSION: the cue floor is n/a"
	fi
fi

# measure NAME CMD...: runs CMD $RUNS times (output discarded) and sets
# SECS (median wall time) and RSS (median peak RSS, MiB), or "n/a" when the
# command fails (for example a command callops does not have yet).
measure() {
	local name=$1
	shift
	local times=() rsses=() i out
	for ((i = 0; i < RUNS; i++)); do
		out="$tmp/time.$$"
		if ! /usr/bin/time -f '%e %M' -o "$out" "$@" >"$tmp/stdout" 2>"$tmp/stderr"; then
			log "  $name: failed: $(head -c 300 "$tmp/stderr")"
			SECS=n/a RSS=n/a
			return
		fi
		read -r t m <"$out"
		times+=("$t")
		rsses+=("$m")
	done
	SECS=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
	RSS=$(printf '%s\n' "${rsses[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.0f", a[int((NR+1)/2)]/1024}')
	log "  $name: ${SECS}s, ${RSS} MiB (runs: ${times[*]})"
}

ratio() { # ratio A B: A/B with two decimals, n/a when either is n/a or B is 0
	if [[ $1 == n/a || $2 == n/a ]]; then echo n/a; return; fi
	awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "n/a"; else printf "%.2f", a / b }'
}

declare -A S R # S[measure,size] seconds, R[measure,size] MiB
rows=(cue json lint plan import export)
declare -A label=(
	[cue]="cue export (floor)"
	[json]="encoding/json decode of the state (floor)"
	[lint]="callops lint --state"
	[plan]="callops plan --state"
	[import]="callops import"
	[export]="callops export"
)

for p in $SIZES; do
	dir="$tmp/t$p"
	log "generating $p policies x $USERS users, drift $DRIFT"
	"$tmp/callops-gen" -policies "$p" -users "$USERS" -drift "$DRIFT" -seed 1 -out "$dir" >&2
	state="$dir/callops.state.json"
	k="$p"
	if [[ -n "$CUE" ]]; then
		measure "cue export $p" "$CUE" export "$dir"/desired/*.cue
	else
		SECS=n/a RSS=n/a
	fi
	S[cue,$k]=$SECS R[cue,$k]=$RSS
	measure "json $p" "$tmp/callops-gen" -json-floor "$state"
	S[json,$k]=$SECS R[json,$k]=$RSS
	measure "lint $p" "$tmp/callops" lint --state "$state" "$dir/desired"
	S[lint,$k]=$SECS R[lint,$k]=$RSS
	measure "plan $p" "$tmp/callops" plan --state "$state" "$dir/desired"
	S[plan,$k]=$SECS R[plan,$k]=$RSS
	measure "import $p" "$tmp/callops" import --out "$tmp/imported-$p.json" "$dir/export"
	S[import,$k]=$SECS R[import,$k]=$RSS
	rm -f "$tmp/imported-$p.json"
	# export refuses a non-empty directory: a fresh one per run.
	measure "export $p" bash -c 'd=$(mktemp -d "$1/export.XXXXXX") && rmdir "$d" && exec "$2" export --state "$3" --out "$d"' _ "$tmp" "$tmp/callops" "$state"
	S[export,$k]=$SECS R[export,$k]=$RSS
done

sizes=($SIZES)
first=${sizes[0]}
last=${sizes[${#sizes[@]}-1]}

echo
echo "Machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo) RAM; $(go version | cut -d' ' -f3-)"
echo "Command: RUNS=$RUNS SIZES=\"$SIZES\" USERS=$USERS DRIFT=$DRIFT bench/run.sh (median of $RUNS runs; wall time and peak RSS from /usr/bin/time)"
echo
printf '| %s |' "measure"
for p in "${sizes[@]}"; do printf ' %s s | %s MiB |' "${p}x$USERS" "${p}x$USERS"; done
[[ $first != "$last" ]] && printf ' %s/%s time |' "$last" "$first"
echo
printf '|---|'
for p in "${sizes[@]}"; do printf -- '--:|--:|'; done
[[ $first != "$last" ]] && printf -- '--:|'
echo
for m in "${rows[@]}"; do
	printf '| %s |' "${label[$m]}"
	for p in "${sizes[@]}"; do printf ' %s | %s |' "${S[$m,$p]}" "${R[$m,$p]}"; done
	[[ $first != "$last" ]] && printf ' %s |' "$(ratio "${S[$m,$last]}" "${S[$m,$first]}")"
	echo
done
echo
printf '| ratio |'
for p in "${sizes[@]}"; do printf ' %s |' "${p}x$USERS"; done
echo
printf '|---|'
for p in "${sizes[@]}"; do printf -- '--:|'; done
echo
for pair in "lint cue" "plan cue" "lint json" "plan json"; do
	set -- $pair
	printf '| %s / %s |' "$1" "$2"
	for p in "${sizes[@]}"; do printf ' %s |' "$(ratio "${S[$1,$p]}" "${S[$2,$p]}")"; done
	echo
done
