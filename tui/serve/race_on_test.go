//go:build race

package serve

// raceOn: the race detector slows drawing about tenfold, so timing claims
// are measured without it (the same paths still run under it elsewhere).
const raceOn = true
