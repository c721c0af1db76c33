package views

// seqIndex finds seq in a newest-first list of n entries whose sequence
// numbers decrease with the index; at(i) reads the seq at index i. It costs
// O(log n) calls of at. found is false when the entry is gone (evicted or
// filtered out); i is then where it would be.
func seqIndex(n int, at func(i int) uint64, seq uint64) (i int, found bool) {
	lo, hi := 0, n
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if at(m) > seq {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo, lo < n && at(lo) == seq
}

// seqAnchor keeps a newest-first list still while entries arrive: when the
// view is paused or the operator has moved off the first row, the selected
// entry keeps its screen row; otherwise the list follows the newest entry.
type seqAnchor struct {
	seq uint64 // selected entry, 0 for none
}

// sync repositions c for a list of n entries. paused freezes the list.
func (a *seqAnchor) sync(c *cursor, n int, paused bool, at func(i int) uint64) {
	c.total = n
	if a.seq != 0 && (paused || c.pos > 0) {
		i, _ := seqIndex(n, at, a.seq)
		if d := i - c.pos; d > 0 {
			c.shift(d)
		} else if d < 0 { // entries above it were evicted or filtered out
			c.pos += d
			c.top += d
		}
	}
	c.clamp()
	a.seq = 0
	if c.pos < n {
		a.seq = at(c.pos)
	}
}
