# Sourced by the benches, not run. A JVM runs interpreted until its JIT has
# compiled the hot paths, so a server just started measures its compiler
# more than itself. warm_up runs unmeasured rounds until the rate stops
# rising: two rounds in a row no more than 10% above the best before them
# (4 to 12 rounds), as a server that has been up for a while would be. The
# first round shows the cold rate.
#   warm_up LABEL COMMAND [ARGS...]   (COMMAND prints one rate per round)
warm_up() {
  local label=$1 best=0 flat=0 rate rounds=()
  shift
  for round in $(seq 1 12); do
    rate=$("$@")
    rounds+=("$rate")
    if python3 -c "import sys; sys.exit(0 if $rate <= $best * 1.1 else 1)"; then flat=$((flat + 1)); else flat=0; fi
    best=$(python3 -c "print(max($best, $rate))")
    [ "$round" -ge 4 ] && [ "$flat" -ge 2 ] && break
  done
  say "warm-up of $label: ${rounds[*]} msg/s"
}
