# shellcheck shell=bash
# What the benches share for their figures; sourced, not run.

# rate COUNT START END: COUNT per second between two `date +%s.%N` readings
rate() { python3 -c "print(round($1 / ($3 - $2), 1))"; }
# median FIGURE...
median() { python3 -c 'import statistics,sys; print(statistics.median(float(x) for x in sys.argv[1:]))' "$@"; }
# ratio OURS THEIRS
ratio() { python3 -c "print(round($1 / $2, 2))"; }
# halved FIGURE
halved() { python3 -c "print(round($1 / 2, 1))"; }

# A JVM runs interpreted until its JIT has compiled the hot paths, so a
# server just started measures its compiler more than itself. warm_up runs unmeasured rounds until the rate stops
# rising: two rounds in a row no more than 10% above the best before them
# (WARM_UP_MIN_ROUNDS, 4 unless set, to 12 rounds), as a server that has been up for a while
# would be. The first round shows the cold rate.
#   [WARM_UP_MIN_ROUNDS=n] warm_up LABEL COMMAND [ARGS...]   (COMMAND prints one rate per round)
warm_up() {
  local label=$1 best=0 flat=0 figure rounds=()
  shift
  for round in $(seq 1 12); do
    figure=$("$@")
    rounds+=("$figure")
    if python3 -c "import sys; sys.exit(0 if $figure <= $best * 1.1 else 1)"; then flat=$((flat + 1)); else flat=0; fi
    best=$(python3 -c "print(max($best, $figure))")
    [ "$round" -ge "${WARM_UP_MIN_ROUNDS:-4}" ] && [ "$flat" -ge 2 ] && break
  done
  say "warm-up of $label: ${rounds[*]} msg/s"
}
