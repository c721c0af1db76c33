// Package reliability proves mqdeck's fault behaviour end to end: the built
// binary and the transport against a real Mosquitto that is killed, paused,
// cut off or fed hostile input. Everything lives in the tests; see
// docs/RELIABILITY.md for what each test shows and the figures measured.
//
// The default run fits in CI (about two minutes on two cores with -race).
// MQDECK_SOAK=30m makes the soaks full size (bench/reliability/soak.sh);
// without it CI runs the same machinery at a small scale.
package reliability
