package topics

import "time"

// Entry is one payload of a topic's history.
type Entry struct {
	At       time.Time
	Payload  []byte // nil when redacted or dropped by the byte budget
	Size     int    // the payload's size as received
	Retained bool
	Cut      bool // Payload holds only the first MaxPayload bytes
	Redacted bool // the route carries credentials
	Dropped  bool // the byte budget took the payload
	Seq      uint64
}

// history is a ring of the last entries of one topic, oldest first.
type history struct {
	buf   []Entry
	start int
	max   int
	bytes int // payload bytes held
}

func (h *history) len() int { return len(h.buf) }

func (h *history) at(i int) *Entry {
	j := h.start + i
	if j >= len(h.buf) {
		j -= len(h.buf)
	}
	return &h.buf[j]
}

// push adds e and returns the payload bytes it freed by overwriting.
func (h *history) push(e Entry) (freed int) {
	h.bytes += len(e.Payload)
	if len(h.buf) < h.max {
		h.buf = append(h.buf, e)
		return 0
	}
	old := &h.buf[h.start]
	freed = len(old.Payload)
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
		if e.Payload != nil {
			n := len(e.Payload)
			e.Payload, e.Dropped = nil, true
			h.bytes -= n
			return n
		}
	}
	return 0
}

// record adds a message to a topic's history and keeps the byte budget.
func (t *Tree) record(tp *Topic, m Msg) {
	e := Entry{At: m.At, Size: len(m.Payload), Retained: m.Retained, Seq: t.seq, Redacted: m.Secret}
	if !m.Secret && len(m.Payload) > 0 {
		e.Payload = m.Payload
		if len(e.Payload) > t.cfg.MaxPayload {
			e.Payload, e.Cut = e.Payload[:t.cfg.MaxPayload:t.cfg.MaxPayload], true
		}
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
func (tp *Topic) History(i int) Entry { return *tp.hist.at(tp.hist.len() - 1 - i) }

// LastEntry is the newest entry; ok is false when none is held.
func (tp *Topic) LastEntry() (e Entry, ok bool) {
	if tp.hist.len() == 0 {
		return e, false
	}
	return tp.History(0), true
}

// Node is the topic's node in the tree.
func (tp *Topic) Node() *Node { return tp.node }
