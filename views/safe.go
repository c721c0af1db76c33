package views

import "github.com/mqdeck/mqdeck/decode"

// safe makes a network string terminal-safe: every string from a device,
// a broker or a topic goes through it (or decode.Truncate) before drawing.
func safe(s string) string { return decode.Safe(s) }
