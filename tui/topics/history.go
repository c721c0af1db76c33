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

// entry is what the ring holds: 40 bytes instead of Entry's 64, 37 MiB
// less for 100k topics of 16 entries (BenchmarkTreeMemory).
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

// history is a ring of the last entries of one topic, oldest first.
type history struct {
	buf   []entry
	start int
	max   int
	bytes int // payload bytes held
}

func (h *history) len() int { return len(h.buf) }

func (h *history) at(i int) *entry {
	j := h.start + i
	if j >= len(h.buf) {
		j -= len(h.buf)
	}
	return &h.buf[j]
}

// push adds e and returns the payload bytes it freed by overwriting.
func (h *history) push(e entry) (freed int) {
	h.bytes += len(e.payload)
	if len(h.buf) < h.max {
		h.buf = append(h.buf, e)
		return 0
	}
	old := &h.buf[h.start]
	freed = len(old.payload)
	h.bytes -= freed
	*old = e
	h.start = (h.start + 1) % len(h.buf)
	return freed
}

// dropOldest drops the payload of the oldest entry still holding one and
// returns the bytes freed (0: none held).
func (h *history) dropOldest() int {
	for i := 0; i < len(h.buf); i++ {
		e := h.at(i)
		if e.payload != nil {
			n := len(e.payload)
			e.payload = nil
			e.flags |= fDropped
			h.bytes -= n
			return n
		}
	}
	return 0
}

// record adds a message to a topic's history and keeps the byte budget.
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
	before := tp.hist.bytes
	tp.hist.push(e)
	t.heldBytes += tp.hist.bytes - before
	if tp.held {
		t.heldList.remove(tp, heldLinks)
		tp.held = false
	}
	if tp.hist.bytes > 0 {
		t.heldList.pushFront(tp, heldLinks)
		tp.held = true
	}
	// Over budget: the least recently updated topics give up their
	// oldest payloads first. Each step frees bytes or unlinks a topic, so
	// the loop is amortized O(1) per message.
	for t.heldBytes > t.cfg.HistoryBytes {
		old := t.heldList.back()
		if old == nil {
			break
		}
		n := old.hist.dropOldest()
		t.heldBytes -= n
		if n > 0 {
			t.dropped++
		}
		if old.hist.bytes == 0 {
			t.heldList.remove(old, heldLinks)
			old.held = false
		}
	}
}

func (t *Tree) dropHeld(tp *Topic) {
	if tp.held {
		t.heldList.remove(tp, heldLinks)
		tp.held = false
	}
	t.heldBytes -= tp.hist.bytes
	tp.hist.bytes = 0
}

// HistoryLen is the number of entries held.
func (tp *Topic) HistoryLen() int { return tp.hist.len() }

// History returns the i-th entry counted from the newest (0: the last).
func (tp *Topic) History(i int) Entry { return tp.hist.at(tp.hist.len() - 1 - i).export() }

// LastEntry is the newest entry; ok is false when none is held.
func (tp *Topic) LastEntry() (e Entry, ok bool) {
	if tp.hist.len() == 0 {
		return e, false
	}
	return tp.History(0), true
}

// Node is the topic's node in the tree.
func (tp *Topic) Node() *Node { return tp.node }
