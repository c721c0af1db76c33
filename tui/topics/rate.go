package topics

// rateSlots is how many seconds of rate each node keeps: enough for the
// tree's sparkline column, 68 bytes a node.
const rateSlots = 16

// rate counts messages per second over the last rateSlots seconds.
type rate struct {
	last int64 // unix second of the newest slot
	n    [rateSlots]uint32
}

func rslot(sec int64) int {
	m := sec % rateSlots
	if m < 0 {
		m += rateSlots
	}
	return int(m)
}

func (r *rate) add(sec int64) {
	switch {
	case r.last == 0:
		r.last = sec
	case sec > r.last:
		if sec-r.last >= rateSlots {
			r.n = [rateSlots]uint32{}
		} else {
			for k := r.last + 1; k <= sec; k++ {
				r.n[rslot(k)] = 0
			}
		}
		r.last = sec
	case r.last-sec >= rateSlots:
		return // older than the window
	}
	r.n[rslot(sec)]++
}

func (r *rate) at(sec int64) uint32 {
	if r.last == 0 || sec > r.last || r.last-sec >= rateSlots {
		return 0
	}
	return r.n[rslot(sec)]
}

// values appends the counts of the rateSlots-1 complete seconds before now,
// oldest first.
func (r *rate) values(now int64, dst []float64) []float64 {
	for s := now - rateSlots + 1; s < now; s++ {
		dst = append(dst, float64(r.at(s)))
	}
	return dst
}

// recent sums the last 5 complete seconds.
func (r *rate) recent(now int64) uint32 {
	var sum uint32
	for s := now - 5; s < now; s++ {
		sum += r.at(s)
	}
	return sum
}
