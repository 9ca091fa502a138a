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
# SECS (median wall time, s), CPU (median user+system time, s: less
# sensitive than wall time to other load on the machine) and RSS (median
# peak RSS, MiB), or "n/a" when the command fails (for example a command
# callops does not have yet).
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
measure() {
	local name=$1
	shift
	local times=() cpus=() rsses=() i out t u s m
	for ((i = 0; i < RUNS; i++)); do
		out="$tmp/time.$$"
		if ! /usr/bin/time -f '%e %U %S %M' -o "$out" "$@" >"$tmp/stdout" 2>"$tmp/stderr"; then
			log "  $name: failed: $(head -c 300 "$tmp/stderr")"
			SECS=n/a CPU=n/a RSS=n/a
			return
		fi
		read -r t u s m <"$out"
		times+=("$t")
		cpus+=("$(awk -v u="$u" -v s="$s" 'BEGIN {printf "%.2f", u + s}')")
		rsses+=("$m")
	done
	SECS=$(printf '%s\n' "${times[@]}" | median)
	CPU=$(printf '%s\n' "${cpus[@]}" | median)
	RSS=$(printf '%s\n' "${rsses[@]}" | median | awk '{printf "%.0f", $1/1024}')
	log "  $name: wall ${SECS}s, cpu ${CPU}s, ${RSS} MiB (wall: ${times[*]}; cpu: ${cpus[*]})"
}

ratio() { # ratio A B: A/B with two decimals, n/a when either is n/a or B is 0
	if [[ $1 == n/a || $2 == n/a ]]; then echo n/a; return; fi
	awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "n/a"; else printf "%.2f", a / b }'
}

declare -A S C R # S[measure,size] wall seconds, C[...] CPU seconds, R[...] peak RSS MiB
rows=(cue vet json lint lintstate lintwarm plan import export)
declare -A label=(
	[cue]="cue export (floor)"
	[vet]="cue vet -c (floor)"
	[json]="encoding/json decode of the state (floor)"
	[lint]="callops lint (cold)"
	[lintstate]="callops lint --state (cold)"
	[lintwarm]="callops lint --state (model cache warm)"
	[plan]="callops plan --state (cold)"
	[import]="callops import"
	[export]="callops export"
)

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for p in $SIZES; do
	dir="$tmp/t$p"
	log "generating $p policies x $USERS users, drift $DRIFT"
	"$tmp/callops-gen" -policies "$p" -users "$USERS" -drift "$DRIFT" -seed 1 -out "$dir" >&2
	state="$dir/callops.state.json"
	k="$p"
	if [[ -n "$CUE" ]]; then
		measure "cue export $p" "$CUE" export "$dir"/desired/*.cue
	else
		SECS=n/a CPU=n/a RSS=n/a
	fi
	S[cue,$k]=$SECS C[cue,$k]=$CPU R[cue,$k]=$RSS
	if [[ -n "$CUE" ]]; then
		measure "cue vet $p" "$CUE" vet -c "$dir"/desired/*.cue
	else
		SECS=n/a CPU=n/a RSS=n/a
	fi
	S[vet,$k]=$SECS C[vet,$k]=$CPU R[vet,$k]=$RSS
	measure "json $p" "$tmp/callops-gen" -json-floor "$state"
	S[json,$k]=$SECS C[json,$k]=$CPU R[json,$k]=$RSS
	# Cold: without the model cache (every run evaluates the CUE files).
	# lint of the files alone is what the enterprise-scale issue compares
	# with cue export of the same files; --state adds reading the tenant's
	# 13-33 MB state and the rules that need it.
	measure "lint $p" env CALLOPS_NO_CACHE=1 "$tmp/callops" lint "$dir/desired"
	S[lint,$k]=$SECS C[lint,$k]=$CPU R[lint,$k]=$RSS
	measure "lint --state $p" env CALLOPS_NO_CACHE=1 "$tmp/callops" lint --state "$state" "$dir/desired"
	S[lintstate,$k]=$SECS C[lintstate,$k]=$CPU R[lintstate,$k]=$RSS
	measure "plan $p" env CALLOPS_NO_CACHE=1 "$tmp/callops" plan --state "$state" "$dir/desired"
	S[plan,$k]=$SECS C[plan,$k]=$CPU R[plan,$k]=$RSS
	# Warm: the model cache holds these files (a pre-commit run on files
	# that did not change). One run fills it first.
	XDG_CACHE_HOME="$tmp/cache" "$tmp/callops" lint --state "$state" "$dir/desired" >/dev/null 2>&1 || true
	measure "lint warm $p" env XDG_CACHE_HOME="$tmp/cache" "$tmp/callops" lint --state "$state" "$dir/desired"
	S[lintwarm,$k]=$SECS C[lintwarm,$k]=$CPU R[lintwarm,$k]=$RSS
	measure "import $p" "$tmp/callops" import --out "$tmp/imported-$p.json" "$dir/export"
	S[import,$k]=$SECS C[import,$k]=$CPU R[import,$k]=$RSS
	rm -f "$tmp/imported-$p.json"
	# export refuses a non-empty directory: a fresh one per run.
	measure "export $p" bash -c 'd=$(mktemp -d "$1/export.XXXXXX") && rmdir "$d" && exec "$2" export --state "$3" --out "$d"' _ "$tmp" "$tmp/callops" "$state"
	S[export,$k]=$SECS C[export,$k]=$CPU R[export,$k]=$RSS
done

sizes=($SIZES)
first=${sizes[0]}
last=${sizes[${#sizes[@]}-1]}

echo
echo "Machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo) RAM; $(go version | cut -d' ' -f3-); load average before: $load_before, after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "Commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- . 2>/dev/null || echo ' (work tree has uncommitted changes)')"
echo "Command: RUNS=$RUNS SIZES=\"$SIZES\" USERS=$USERS DRIFT=$DRIFT bench/run.sh (median of $RUNS runs; wall and user+system CPU time and peak RSS from /usr/bin/time)"
echo
printf '| %s |' "measure"
for p in "${sizes[@]}"; do printf ' %s wall s | cpu s | MiB |' "${p}x$USERS"; done
[[ $first != "$last" ]] && printf ' %s/%s cpu |' "$last" "$first"
echo
printf '|---|'
for p in "${sizes[@]}"; do printf -- '--:|--:|--:|'; done
[[ $first != "$last" ]] && printf -- '--:|'
echo
for m in "${rows[@]}"; do
	printf '| %s |' "${label[$m]}"
	for p in "${sizes[@]}"; do printf ' %s | %s | %s |' "${S[$m,$p]}" "${C[$m,$p]}" "${R[$m,$p]}"; done
	[[ $first != "$last" ]] && printf ' %s |' "$(ratio "${C[$m,$last]}" "${C[$m,$first]}")"
	echo
done
echo
printf '| ratio (wall / cpu) |'
for p in "${sizes[@]}"; do printf ' %s |' "${p}x$USERS"; done
echo
printf '|---|'
for p in "${sizes[@]}"; do printf -- '--:|'; done
echo
for pair in "lint cue" "lintstate cue" "lintwarm cue" "plan cue" "plan json"; do
	set -- $pair
	printf '| %s / %s |' "$1" "$2"
	for p in "${sizes[@]}"; do printf ' %s / %s |' "$(ratio "${S[$1,$p]}" "${S[$2,$p]}")" "$(ratio "${C[$1,$p]}" "${C[$2,$p]}")"; done
	echo
done
