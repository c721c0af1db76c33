package topics

import (
	"bytes"
	"math"
	"time"
)

// Entry is one payload of a topic's history.
type Entry struct {
	At       time.Time
	Payload  []byte // nil when redacted or dropped by the byte budget
	Size     int    // the payload's size as received
	Retained bool
	Cut      bool // Payload holds only the first MaxPayload bytes
	Redacted bool // the route carries credentials
	Dropped  bool // the byte budget took the payload
}

// entry is what a topic holds: 40 bytes instead of Entry's 64.
type entry struct {
	at      int64 // unix nanoseconds
	payload []byte
	size    int32 // saturates at 2 GiB
	flags   uint8
}

const (
	fRetained uint8 = 1 << iota
	fCut
	fRedacted
	fDropped
)

func (e *entry) export() Entry {
	return Entry{At: time.Unix(0, e.at), Payload: e.payload, Size: int(e.size),
		Retained: e.flags&fRetained != 0, Cut: e.flags&fCut != 0,
		Redacted: e.flags&fRedacted != 0, Dropped: e.flags&fDropped != 0}
}

// EntryOverhead is what one older entry costs besides its payload: the
// budget counts it, so a flood of tiny payloads is bounded too.
const EntryOverhead = 40

// ring holds a topic's entries before its newest, oldest first, growing
// up to HistoryLen-1 and shrinking as the budget takes its oldest.
type ring struct {
	buf   []entry
	start int
	n     int
	bytes int // payload bytes plus EntryOverhead per entry
}

func (r *ring) at(i int) *entry {
	j := r.start + i
	if j >= len(r.buf) {
		j -= len(r.buf)
	}
	return &r.buf[j]
}

// push adds e, overwriting the oldest once limit entries are held.
func (r *ring) push(e entry, limit int) {
	cost := len(e.payload) + EntryOverhead
	if r.n == len(r.buf) && r.n < limit {
		// Grow, oldest first again (the ring starts small: most
		// topics never hold many entries for long).
		buf := make([]entry, min(limit, max(2*r.n, 2)))
		for i := 0; i < r.n; i++ {
			buf[i] = *r.at(i)
		}
		r.buf, r.start = buf, 0
	}
	if r.n < len(r.buf) {
		*r.at(r.n) = e
		r.n++
		r.bytes += cost
		return
	}
	old := &r.buf[r.start]
	r.bytes -= len(old.payload) + EntryOverhead
	*old = e
	r.bytes += cost
	r.start = (r.start + 1) % len(r.buf)
}

// dropOldest removes the oldest entry and returns the bytes it freed.
func (r *ring) dropOldest() int {
	old := &r.buf[r.start]
	freed := len(old.payload) + EntryOverhead
	*old = entry{}
	r.start = (r.start + 1) % len(r.buf)
	r.n--
	r.bytes -= freed
	return freed
}

// held is the budgeted bytes a topic holds.
func (tp *Topic) held() int {
	h := len(tp.lastE.payload)
	if tp.older != nil {
		h += tp.older.bytes
	}
	return h
}

// record makes a message the topic's newest entry, the one before it
// joining the older ones, and keeps the byte budget.
func (t *Tree) record(tp *Topic, m Msg) {
	e := entry{at: m.At.UnixNano(), size: int32(min(len(m.Payload), math.MaxInt32))}
	if m.Retained {
		e.flags |= fRetained
	}
	if m.Secret {
		e.flags |= fRedacted
	} else if len(m.Payload) > 0 {
		p := m.Payload
		if len(p) > t.cfg.MaxPayload {
			p = p[:t.cfg.MaxPayload]
			e.flags |= fCut
		}
		// A copy of its own: the received payload shares the transport's
		// packet buffer, several times its size, and a held history of
		// references pinned all those buffers (bench/memory: peak RSS 1029
		// MiB in the 1M flood where the budget counts 64).
		e.payload = bytes.Clone(p)
	}
	before := tp.held()
	if tp.Msgs > 1 && t.cfg.HistoryLen > 1 {
		if tp.older == nil {
			tp.older = &ring{}
		}
		tp.older.push(tp.lastE, t.cfg.HistoryLen-1)
	}
	tp.lastE = e
	t.heldBytes += tp.held() - before
	// Over budget: the least recently updated topics give up their older
	// entries, then their last payload. Each step frees bytes or passes a
	// topic, and a topic is passed again only after a message moved it
	// to the front: amortized O(1) per message.
	for t.heldBytes > t.cfg.HistoryBytes {
		c := t.lru.tail
		if t.cold != nil {
			c = t.cold.lruPrev
		}
		if c == nil {
			break
		}
		switch {
		case c.older != nil:
			t.heldBytes -= c.older.dropOldest()
			if c.older.n == 0 {
				c.older = nil
			}
			t.dropped++
		case c.lastE.payload != nil:
			t.heldBytes -= len(c.lastE.payload)
			c.lastE.payload = nil
			c.lastE.flags |= fDropped
			t.dropped++
		default:
			t.cold = c
		}
	}
}

func (t *Tree) dropHeld(tp *Topic) {
	t.heldBytes -= tp.held()
	tp.older = nil
	tp.lastE.payload = nil
}

// HistoryLen is the number of entries held, the newest included.
func (tp *Topic) HistoryLen() int {
	if tp.Msgs == 0 {
		return 0
	}
	if tp.older == nil {
		return 1
	}
	return 1 + tp.older.n
}

// History returns the i-th entry counted from the newest (0: the last).
func (tp *Topic) History(i int) Entry {
	if i == 0 {
		return tp.lastE.export()
	}
	return tp.older.at(tp.older.n - i).export()
}

// LastEntry is the newest entry; ok is false when none is held.
func (tp *Topic) LastEntry() (e Entry, ok bool) {
	if tp.Msgs == 0 {
		return e, false
	}
	return tp.lastE.export(), true
}

// Node is the topic's node in the tree.
func (tp *Topic) Node() *Node { return tp.node }
