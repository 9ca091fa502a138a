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

# Measures are interleaved: each of RUNS rounds runs every measure once at
# every size, so that a change in the machine's load during the run (it is
# shared) falls on all measures alike instead of on whichever ran then.
# For each measure the script reports the median wall time, the median
# user+system CPU time (less sensitive than wall time to other load) and the
# largest peak RSS of all rounds (the memory budget is a bound, so the worst
# run is what counts); "n/a" when the command fails (for example a command
# callops does not have yet).
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
largest() { sort -n | tail -n 1; }

# cmdfor M P: sets CMDV to the command of measure M at size P; fails when
# there is none (no cue binary).
cmdfor() {
	local m=$1 p=$2 dir="$tmp/t$2" state="$tmp/t$2/callops.state.json"
	case $m in
	cue) [[ -n "$CUE" ]] && CMDV=("$CUE" export "$dir"/desired/*.cue) ;;
	vet) [[ -n "$CUE" ]] && CMDV=("$CUE" vet -c "$dir"/desired/*.cue) ;;
	json) CMDV=("$tmp/callops-gen" -json-floor "$state") ;;
	# Cold: without the model cache (every run evaluates the CUE files).
	# lint of the files alone is what the enterprise-scale issue compares
	# with cue export of the same files; --state adds reading the tenant's
	# 13-33 MB state and the rules that need it.
	lint) CMDV=(env CALLOPS_NO_CACHE=1 "$tmp/callops" lint "$dir/desired") ;;
	lintstate) CMDV=(env CALLOPS_NO_CACHE=1 "$tmp/callops" lint --state "$state" "$dir/desired") ;;
	plan) CMDV=(env CALLOPS_NO_CACHE=1 "$tmp/callops" plan --state "$state" "$dir/desired") ;;
	# Warm: the model cache holds these files (a pre-commit run on files
	# that did not change); it is filled before the first round.
	lintwarm) CMDV=(env XDG_CACHE_HOME="$tmp/cache" "$tmp/callops" lint --state "$state" "$dir/desired") ;;
	import) CMDV=("$tmp/callops" import --out "$tmp/imported-$p.json" "$dir/export") ;;
	# export refuses a non-empty directory: a fresh one per run.
	export) CMDV=(bash -c 'd=$(mktemp -d "$1/export.XXXXXX") && rmdir "$d" && exec "$2" export --state "$3" --out "$d"' _ "$tmp" "$tmp/callops" "$state") ;;
	*) return 1 ;;
	esac
}

declare -A T U M F # T[m,p] wall times, U[...] CPU times, M[...] peak RSS (KiB), F[...] failed

# runone M P: runs measure M at size P once and records its figures.
runone() {
	local m=$1 p=$2 out="$tmp/time.$$" t u s r
	[[ -n "${F[$m,$p]:-}" ]] && return
	if ! cmdfor "$m" "$p"; then
		F[$m,$p]=1
		return
	fi
	if ! /usr/bin/time -f '%e %U %S %M' -o "$out" "${CMDV[@]}" >"$tmp/stdout" 2>"$tmp/stderr"; then
		log "  $m $p: failed: $(head -c 300 "$tmp/stderr")"
		F[$m,$p]=1
		return
	fi
	rm -f "$tmp/imported-$p.json"
	read -r t u s r <"$out"
	T[$m,$p]+=" $t"
	U[$m,$p]+=" $(awk -v u="$u" -v s="$s" 'BEGIN {printf "%.2f", u + s}')"
	M[$m,$p]+=" $r"
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
	log "generating $p policies x $USERS users, drift $DRIFT"
	"$tmp/callops-gen" -policies "$p" -users "$USERS" -drift "$DRIFT" -seed 1 -out "$tmp/t$p" >&2
	XDG_CACHE_HOME="$tmp/cache" "$tmp/callops" lint --state "$tmp/t$p/callops.state.json" "$tmp/t$p/desired" >/dev/null 2>&1 || true
done
for ((i = 1; i <= RUNS; i++)); do
	log "round $i of $RUNS"
	for p in $SIZES; do
		for m in "${rows[@]}"; do
			runone "$m" "$p"
		done
	done
done
for p in $SIZES; do
	for m in "${rows[@]}"; do
		if [[ -n "${F[$m,$p]:-}" || -z "${T[$m,$p]:-}" ]]; then
			S[$m,$p]=n/a C[$m,$p]=n/a R[$m,$p]=n/a
			continue
		fi
		S[$m,$p]=$(tr ' ' '\n' <<<"${T[$m,$p]}" | grep . | median)
		C[$m,$p]=$(tr ' ' '\n' <<<"${U[$m,$p]}" | grep . | median)
		R[$m,$p]=$(tr ' ' '\n' <<<"${M[$m,$p]}" | grep . | largest | awk '{printf "%.0f", $1/1024}')
		log "  $m $p: wall ${S[$m,$p]}s, cpu ${C[$m,$p]}s, ${R[$m,$p]} MiB (wall:${T[$m,$p]}; cpu:${U[$m,$p]})"
	done
done

sizes=($SIZES)
first=${sizes[0]}
last=${sizes[${#sizes[@]}-1]}

echo
echo "Machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo) RAM; $(go version | cut -d' ' -f3-); load average before: $load_before, after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "Commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- . 2>/dev/null || echo ' (work tree has uncommitted changes)')"
echo "Command: RUNS=$RUNS SIZES=\"$SIZES\" USERS=$USERS DRIFT=$DRIFT bench/run.sh (median of $RUNS interleaved rounds of wall and user+system CPU time, largest peak RSS of them, from /usr/bin/time)"
echo
printf '| %s |' "measure"
for p in "${sizes[@]}"; do printf ' %s wall s | cpu s | max MiB |' "${p}x$USERS"; done
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
if [[ $first != "$last" ]]; then
	# Growth next to the floor's growth in the same run: on a shared
	# machine both move together from run to run.
	echo
	printf '| growth %s / %s (wall / cpu) | callops | cue export | callops / cue export (cpu) |\n' "$last" "$first"
	echo '|---|--:|--:|--:|'
	cw=$(ratio "${S[cue,$last]}" "${S[cue,$first]}")
	cc=$(ratio "${C[cue,$last]}" "${C[cue,$first]}")
	for m in lint lintstate plan; do
		gc=$(ratio "${C[$m,$last]}" "${C[$m,$first]}")
		printf '| %s | %s / %s | %s / %s | %s |\n' "${label[$m]}" "$(ratio "${S[$m,$last]}" "${S[$m,$first]}")" "$gc" "$cw" "$cc" "$(ratio "$gc" "$cc")"
	done
fi
