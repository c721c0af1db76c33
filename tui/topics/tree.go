// Package topics is the topic tree of any broker: every topic seen, by its
// '/' segments, with counts, bytes, a per-second rate, a retained mark and
// the last payloads of each topic. It is pure Go (no Bubble Tea), bounded
// (a cap on topics, a budget on payload bytes, counters for what went),
// and applying a message costs O(depth): one lookup per segment and O(1)
// list moves, whatever the number of topics.
//
// Memory follows what is used: every topic keeps its last payload, and
// only the recently updated ones keep older payloads, within one byte
// budget that counts each entry's own size too; nodes carry no map until
// they have many children.
//
// The tree holds data only. What a session shows (expanded nodes, order,
// filter, selection) lives in a Lister owned by its pane, so several
// sessions can draw one tree. Every Tree method but Apply, Track and
// Untrack only reads, as do Node's and Topic's: readers may share the
// tree under a read lock (one Lister each) while the writer holds the
// write lock.
package topics

import (
	"strings"
	"time"
)

// Config bounds the tree. A value below 1 takes the default.
type Config struct {
	MaxTopics  int // topics kept; past it the least recently updated goes
	HistoryLen int // payloads kept per topic, the last one included
	MaxPayload int // bytes of one payload kept; longer ones are cut (marked)
	// HistoryBytes bounds the payloads held, the older entries' own
	// EntryOverhead included; past it the least recently updated topics
	// give up their older entries, then their last payload.
	HistoryBytes int
}

// DefaultConfig: 100k topics, 16 payloads each, 24 MiB of payloads. The
// budget was 64 MiB of payload bytes alone, which with the entries around
// them came to 197 MiB live at 100k topics (BenchmarkTreeMemory).
func DefaultConfig() Config {
	return Config{MaxTopics: 100_000, HistoryLen: 16, MaxPayload: 16 << 10, HistoryBytes: 24 << 20}
}

func (c *Config) normalize() {
	d := DefaultConfig()
	if c.MaxTopics < 1 {
		c.MaxTopics = d.MaxTopics
	}
	if c.HistoryLen < 1 {
		c.HistoryLen = d.HistoryLen
	}
	if c.MaxPayload < 1 {
		c.MaxPayload = d.MaxPayload
	}
	if c.HistoryBytes < 1 {
		c.HistoryBytes = d.HistoryBytes
	}
}

// Msg is one received message as the tree needs it.
type Msg struct {
	Topic    string
	Payload  []byte // kept by reference (up to MaxPayload): do not reuse it
	Retained bool   // the broker delivered it as a retained message
	At       time.Time
	Secret   bool // the route carries credentials: count it, keep no payload
}

// Node is one segment of the hierarchy. Its figures cover its whole
// subtree, its own topic included.
type Node struct {
	name   string
	parent *Node
	kids   *kidSet // nil on a leaf
	topic  *Topic  // a message arrived on exactly this path
	depth  int32   // root 0, first segment 1
	gone   bool    // evicted: no longer in the tree

	topics   int32 // topics in the subtree
	retained int32 // retained topics in the subtree
	msgs     uint64
	bytes    uint64
	last     int64  // unix nanoseconds of the subtree's last message
	kidsVer  uint64 // changes when a child is added or removed
	rate     rate
}

// Topic is a node that received messages itself.
type Topic struct {
	node  *Node
	Name  string // the full topic, as received
	Msgs  uint64
	Bytes uint64
	// Retained: the broker delivered a retained message here (it flags
	// only what it sends because of a subscription: the console's own,
	// at connect and at every reconnect) and no empty message came since.
	// RetainedOlder: live messages came after it, so the broker's copy is
	// the one seen at subscribe or a newer retained publish: MQTT does not
	// say which (no Retain As Published), and a topic published retained
	// only after the subscription carries no mark at all.
	Retained      bool
	RetainedOlder bool
	Last          time.Time
	lastE         entry // the newest entry (valid once Msgs > 0)
	older         *ring // the entries before it, nil for most topics

	lruPrev, lruNext *Topic   // every topic, most recently updated first
	tracks           []*Track // plotted fields, usually none
}

// Tree is the topic tree. Not safe for concurrent use: the console
// applies and draws on one goroutine.
type Tree struct {
	cfg  Config
	root *Node

	index map[string]*Topic // every topic by its whole name
	lru   list              // of all topics
	// cold is the first of the topics at the back of lru that hold no
	// budgeted bytes (nil: none known), where the budget looks next.
	cold      *Topic
	heldBytes int

	topics     int
	messages   uint64
	evicted    uint64 // topics evicted by the cap
	dropped    uint64 // payloads dropped by the byte budget
	structVer  uint64 // changes when a node is added or removed
	seq        uint64 // one per message
	lastSecond int64
	tracks     []*Track // every plotted field, oldest first
}

// New returns an empty tree bounded by cfg.
func New(cfg Config) *Tree {
	cfg.normalize()
	return &Tree{cfg: cfg, root: &Node{}, index: map[string]*Topic{}}
}

// Config returns the bounds in use.
func (t *Tree) Config() Config { return t.cfg }

// Root is the unnamed node above the first segments.
func (t *Tree) Root() *Node { return t.root }

// Stats are the tree's counters.
type Stats struct {
	Topics, Nodes   int
	Messages        uint64
	Evicted         uint64 // topics evicted by MaxTopics
	PayloadsDropped uint64 // history entries whose payload the byte budget dropped
	HeldBytes       int    // payload bytes held now
}

// Stats returns the counters (Nodes is counted by a walk: tests only).
func (t *Tree) Stats() Stats {
	return Stats{Topics: t.topics, Messages: t.messages, Evicted: t.evicted,
		PayloadsDropped: t.dropped, HeldBytes: t.heldBytes}
}

// StructVersion changes whenever a node is added or removed.
func (t *Tree) StructVersion() uint64 { return t.structVer }

// Seq counts messages applied; listers use it to see data changes.
func (t *Tree) Seq() uint64 { return t.seq }

// Apply adds one message. O(depth) map lookups, O(1) list moves.
func (t *Tree) Apply(m Msg) {
	t.seq++
	t.messages++
	sec := m.At.Unix()
	if sec > t.lastSecond {
		t.lastSecond = sec
	}
	size := uint64(len(m.Payload))
	at := m.At.UnixNano()
	// A known topic is one lookup of its whole name, then a walk up its
	// parents (the hot ones near the root): at 100k topics each segment's
	// lookup was a chain of cache misses.
	tp := t.index[m.Topic]
	var n *Node
	if tp != nil {
		n = tp.node
		for a := n; a != nil; a = a.parent {
			t.touch(a, size, at, sec)
		}
	} else {
		n = t.walk(m.Topic, size, at, sec)
	}
	t.applyTopic(tp, n, m, size)
}

// walk finds or adds the nodes of a new topic's segments, counting the
// message on each.
func (t *Tree) walk(topic string, size uint64, at, sec int64) *Node {
	n := t.root
	t.touch(n, size, at, sec)
	rest := topic
	for {
		i := strings.IndexByte(rest, '/')
		seg := rest
		if i >= 0 {
			seg = rest[:i]
		}
		var kid *Node
		if n.kids != nil {
			kid = n.kids.find(seg)
		}
		if kid == nil {
			kid = t.addKid(n, seg)
		}
		n = kid
		t.touch(n, size, at, sec)
		if i < 0 {
			return n
		}
		rest = rest[i+1:]
	}
}

func (t *Tree) applyTopic(tp *Topic, n *Node, m Msg, size uint64) {
	if tp == nil {
		tp = &Topic{node: n, Name: m.Topic}
		n.topic = tp
		t.index[tp.Name] = tp
		t.topics++
		for a := n; a != nil; a = a.parent {
			a.topics++
		}
	} else {
		if t.cold == tp {
			t.cold = tp.lruNext
		}
		t.lru.remove(tp, lruLinks)
	}
	t.lru.pushFront(tp, lruLinks)
	tp.Msgs++
	tp.Bytes += size
	if m.At.After(tp.Last) {
		tp.Last = m.At
	}
	// A retained delivery marks the topic. A later live message does not
	// unmark it (publishing never deletes a retained message, and a live
	// one carries no retain flag whatever its publisher set); an empty
	// payload does: it is how a retained message is cleared (mqdeck's own
	// cleanup included), though a live empty one may not have been sent
	// retained: the README says so.
	switch {
	case len(m.Payload) == 0:
		if tp.Retained {
			t.setRetained(tp, false)
		}
		tp.RetainedOlder = false
	case m.Retained:
		if !tp.Retained {
			t.setRetained(tp, true)
		}
		tp.RetainedOlder = false
	case tp.Retained:
		tp.RetainedOlder = true
	}
	t.record(tp, m)
	if tp.tracks != nil {
		t.feed(tp, m)
	}
	if t.topics > t.cfg.MaxTopics {
		if old := t.lru.back(); old != nil && old != tp {
			t.evict(old)
		}
	}
}

func (t *Tree) touch(n *Node, size uint64, at, sec int64) {
	n.msgs++
	n.bytes += size
	if at > n.last {
		n.last = at
	}
	n.rate.add(sec)
}

func (t *Tree) addKid(n *Node, seg string) *Node {
	if n.kids == nil {
		n.kids = &kidSet{}
	}
	k := &Node{name: seg, parent: n, depth: n.depth + 1}
	n.kids.insert(k)
	n.kidsVer++
	t.structVer++
	return k
}

func (t *Tree) setRetained(tp *Topic, v bool) {
	tp.Retained = v
	d := int32(1)
	if !v {
		d = -1
	}
	for a := tp.node; a != nil; a = a.parent {
		a.retained += d
	}
}

// evict removes a topic and the nodes it leaves empty, taking its figures
// off every ancestor so they stay the sum of what is held.
func (t *Tree) evict(tp *Topic) {
	if t.cold == tp {
		t.cold = tp.lruNext
	}
	t.lru.remove(tp, lruLinks)
	t.dropHeld(tp)
	for len(tp.tracks) > 0 {
		t.untrack(tp.tracks[0])
	}
	t.evicted++
	t.topics--
	n := tp.node
	if tp.Retained {
		t.setRetained(tp, false)
	}
	for a := n; a != nil; a = a.parent {
		a.topics--
		a.msgs -= tp.Msgs
		a.bytes -= tp.Bytes
	}
	n.topic = nil
	delete(t.index, tp.Name)
	for n != t.root && n.topic == nil && n.Kids() == 0 {
		p := n.parent
		p.kids.remove(n)
		if p.kids.n == 0 {
			p.kids = nil
		}
		p.kidsVer++
		n.gone, n.parent = true, nil
		t.structVer++
		n = p
	}
}

// Topic returns the topic of a full name, nil when not held.
func (t *Tree) Topic(name string) *Topic { return t.index[name] }

// Find returns the node of a full topic path, nil when not held.
func (t *Tree) Find(name string) *Node {
	if tp := t.index[name]; tp != nil {
		return tp.node
	}
	n := t.root
	for {
		i := strings.IndexByte(name, '/')
		seg := name
		if i >= 0 {
			seg = name[:i]
		}
		if n.kids == nil {
			return nil
		}
		if n = n.kids.find(seg); n == nil {
			return nil
		}
		if i < 0 {
			return n
		}
		name = name[i+1:]
	}
}

// RetainedUnder lists the topics below n (n included) last seen retained,
// in name order, up to limit (0: all), and how many there are in all.
func (t *Tree) RetainedUnder(n *Node, limit int) (names []string, total int) {
	if n == nil || n.gone {
		return nil, 0
	}
	total = int(n.retained)
	var walk func(*Node)
	walk = func(x *Node) {
		if limit > 0 && len(names) >= limit {
			return
		}
		if x.topic != nil && x.topic.Retained {
			names = append(names, x.topic.Name)
		}
		for _, k := range x.AppendKids(nil) {
			if k.retained > 0 {
				walk(k)
			}
		}
	}
	if n.retained > 0 {
		walk(n)
	}
	return names, total
}

// Node accessors: the pane reads, never writes.

// Name is the segment ("" for an empty one and for the root).
func (n *Node) Name() string { return n.name }

// Parent is the node above, nil at the root and once evicted.
func (n *Node) Parent() *Node { return n.parent }

// Depth is 0 at the root, 1 for a first segment.
func (n *Node) Depth() int { return int(n.depth) }

// Gone reports that the node was evicted.
func (n *Node) Gone() bool { return n.gone }

// Kids is the number of child nodes.
func (n *Node) Kids() int {
	if n.kids == nil {
		return 0
	}
	return n.kids.n
}

// KidsVersion changes when a child is added or removed.
func (n *Node) KidsVersion() uint64 { return n.kidsVer }

// Topics is the number of topics in the subtree.
func (n *Node) Topics() int { return int(n.topics) }

// RetainedCount is the number of retained topics in the subtree.
func (n *Node) RetainedCount() int { return int(n.retained) }

// Msgs and Bytes are the subtree's totals.
func (n *Node) Msgs() uint64  { return n.msgs }
func (n *Node) Bytes() uint64 { return n.bytes }

// Last is when the subtree last received a message.
func (n *Node) Last() time.Time {
	if n.last == 0 {
		return time.Time{}
	}
	return time.Unix(0, n.last)
}

// Topic is the node's own topic, nil when no message arrived on exactly it.
func (n *Node) Topic() *Topic { return n.topic }

// Rate appends the subtree's messages per second of the last seconds up
// to now, oldest first.
func (n *Node) Rate(now time.Time, dst []float64) []float64 { return n.rate.values(now.Unix(), dst) }

// RecentRate is the subtree's messages in the last complete seconds
// (the "top talkers" order).
func (n *Node) RecentRate(now time.Time) uint32 { return n.rate.recent(now.Unix()) }

// Path is the node's full topic ("" for the root). O(depth).
func (n *Node) Path() string {
	if n.topic != nil {
		return n.topic.Name
	}
	if n.parent == nil {
		return n.name
	}
	segs := make([]string, n.depth)
	for a := n; a != nil && a.depth > 0; a = a.parent {
		segs[a.depth-1] = a.name
	}
	return strings.Join(segs, "/")
}

// Filter is the subscription filter of the node's subtree: its path, then
// "/#" ("#" at the root). A node with an empty last segment still gets its
// own path, so "a/" is matched by "a//#".
func (n *Node) Filter() string {
	if n.parent == nil {
		return "#"
	}
	return n.Path() + "/#"
}

// AppendKids appends the node's children in name order.
func (n *Node) AppendKids(dst []*Node) []*Node {
	if n.kids == nil {
		return dst
	}
	return n.kids.appendRange(dst, 0, n.kids.n)
}
