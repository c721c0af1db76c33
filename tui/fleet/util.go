package fleet

import (
	"time"

	"github.com/mqdeck/mqdeck/decode"
)

// rateRing counts messages per second over the last len(counts) seconds.
type rateRing struct {
	counts []uint32 // allocated on first use
	last   int64    // unix second of the newest slot
}

func slot(sec int64, n int) int {
	m := sec % int64(n)
	if m < 0 {
		m += int64(n)
	}
	return int(m)
}

func (r *rateRing) add(t time.Time, points int) { r.addN(t, 1, points) }

// addN counts n messages in t's second.
func (r *rateRing) addN(t time.Time, n uint32, points int) {
	sec := t.Unix()
	if r.counts == nil {
		r.counts = make([]uint32, points)
		r.last = sec
	}
	w := int64(len(r.counts))
	switch {
	case sec > r.last:
		if sec-r.last >= w {
			clear(r.counts)
		} else {
			for k := r.last + 1; k <= sec; k++ {
				r.counts[slot(k, len(r.counts))] = 0
			}
		}
		r.last = sec
	case r.last-sec >= w:
		return // older than the window
	}
	r.counts[slot(sec, len(r.counts))] += n
}

func (r *rateRing) at(sec int64) uint32 {
	n := int64(len(r.counts))
	if n == 0 || sec > r.last || r.last-sec >= n {
		return 0
	}
	return r.counts[slot(sec, len(r.counts))]
}

// Values appends the counts of the window ending at now, oldest first.
func (r *rateRing) Values(now time.Time, dst []float64) []float64 {
	n := int64(len(r.counts))
	sec := now.Unix()
	for k := sec - n + 1; k <= sec; k++ {
		dst = append(dst, float64(r.at(k)))
	}
	return dst
}

// lastComplete is the count of the second before now's.
func (r *rateRing) lastComplete(now time.Time) float64 { return float64(r.at(now.Unix() - 1)) }

func nodeNumber(n decode.Node) (float64, bool) { return n.Number() }
