package fleet

import (
	"sort"
	"strings"
)

// EventOrder orders the events pane.
type EventOrder uint8

const (
	NewestFirst EventOrder = iota // event time, newest first
	BySeverity                    // level, most severe first; then newest first
)

// LevelSet is a set of levels; the empty set means all.
type LevelSet uint8

// Levels builds a set.
func Levels(ls ...Level) LevelSet {
	var s LevelSet
	for _, l := range ls {
		s |= 1 << l
	}
	return s
}

// Has reports whether l is in the set (always true for the empty set).
func (s LevelSet) Has(l Level) bool { return s == 0 || s&(1<<l) != 0 }

// StateSet is a set of event states; the empty set means all.
type StateSet uint8

// States builds a set.
func States(ss ...EventState) StateSet {
	var s StateSet
	for _, x := range ss {
		s |= 1 << x
	}
	return s
}

func (s StateSet) with(x EventState) StateSet { return s | 1<<x }

// Has reports whether x is in the set (always true for the empty set).
func (s StateSet) Has(x EventState) bool { return s == 0 || s&(1<<x) != 0 }

// AckFilter selects by acknowledgement.
type AckFilter uint8

const (
	AckAny AckFilter = iota
	AckNo            // can be acknowledged and is not (DRIVR events)
	AckYes           // acknowledged
)

func (a AckFilter) has(bucket int) bool {
	switch a {
	case AckNo:
		return bucket == ackNo
	case AckYes:
		return bucket == ackYes
	}
	return true
}

// EventQuery selects and orders events. Entity.System narrows to one
// system (and its components); Entity.Component to one component. Text is
// a case-insensitive substring of what an events row shows or names
// (eventText).
type EventQuery struct {
	Order  EventOrder
	Levels LevelSet
	States StateSet
	Ack    AckFilter
	Entity Ref
	Text   string
}

// EventCounts are the figures of the events pane header.
type EventCounts struct {
	Matched int // events q selects
	Active  int // of those, in state ACTIVE
	Unacked int // of those, not acknowledged (and acknowledgeable)
}

func (s *Store) countEvents(b evBuckets, levels LevelSet, states StateSet, ack AckFilter) int {
	n := 0
	for l := range b {
		if !levels.Has(Level(l)) {
			continue
		}
		for st := range b[l] {
			if !states.Has(EventState(st)) {
				continue
			}
			for a, c := range b[l][st] {
				if ack.has(a) {
					n += c
				}
			}
		}
	}
	return n
}

// sysBuckets widens a system's int32 counters.
func sysBuckets(sys *System) evBuckets {
	var b evBuckets
	for l := range sys.events {
		for st := range sys.events[l] {
			for a, c := range sys.events[l][st] {
				b[l][st][a] = int(c)
			}
		}
	}
	return b
}

// scanNeeded says whether counts need a scan (Text or a component).
func (q *EventQuery) scanNeeded() bool { return q.Text != "" || q.Entity.Component != "" }

func (q *EventQuery) match(s *Store, e *Event, needle string) bool {
	if !q.Levels.Has(e.Level) || !q.States.Has(e.State) || !q.Ack.has(ackBucket(e)) {
		return false
	}
	if q.Entity.System != "" {
		if e.Ref.SystemRef() != q.Entity.SystemRef() {
			return false
		}
		if q.Entity.Component != "" && e.Ref.Component != q.Entity.Component {
			return false
		}
	}
	if needle != "" {
		return s.eventText(e, needle)
	}
	return true
}

// evTextCache keeps the matches of a query that needs a scan, until the
// events change or a system is renamed (rows show the system's label).
type evTextCache struct {
	q       EventQuery
	version uint64
	order   uint64
	valid   bool
	rows    []*Event
}

// EventCounts counts the events q selects, and the active and unacknowledged
// ones among them. Without Text or a component it costs O(1) (counters);
// otherwise one scan per change of the events.
func (s *Store) EventCounts(q EventQuery) EventCounts {
	if q.scanNeeded() {
		rows := s.scanEvents(q)
		c := EventCounts{Matched: len(rows)}
		for _, e := range rows {
			if e.State == StateActive {
				c.Active++
			}
			if ackBucket(e) == ackNo {
				c.Unacked++
			}
		}
		return c
	}
	b := s.evCounts
	if q.Entity.System != "" {
		sys := s.System(q.Entity)
		if sys == nil {
			return EventCounts{}
		}
		b = sysBuckets(sys)
	}
	c := EventCounts{Matched: s.countEvents(b, q.Levels, q.States, q.Ack)}
	if q.States.Has(StateActive) {
		c.Active = s.countEvents(b, q.Levels, States(StateActive), q.Ack)
	}
	if q.Ack.has(ackNo) {
		c.Unacked = s.countEvents(b, q.Levels, q.States, AckNo)
	}
	return c
}

// EventsWindow appends up to n events q selects, in q's order, starting at
// match offset, and returns them with the number of matches. Without Text
// or a component filter, the cost is O(offset + n) scanned rows for dense
// filters (a sparse level/state filter scans further); with them, one scan
// per change of the events.
func (s *Store) EventsWindow(q EventQuery, offset, n int, dst []*Event) ([]*Event, int) {
	offset = max(offset, 0)
	if q.scanNeeded() {
		rows := s.scanEvents(q)
		for i := offset; i < len(rows) && n > 0; i, n = i+1, n-1 {
			dst = append(dst, rows[i])
		}
		return dst, len(rows)
	}
	total := s.EventCounts(q).Matched
	if q.Entity.System != "" && q.Order == BySeverity {
		// One system's events re-sorted; bounded by that system's count.
		var rows []*Event
		s.eachEvent(q, func(e *Event) bool { rows = append(rows, e); return true })
		sort.Slice(rows, func(i, j int) bool { return lessEvSev(s.keyOfEvent(rows[i]), s.keyOfEvent(rows[j])) })
		for i := offset; i < len(rows) && n > 0; i, n = i+1, n-1 {
			dst = append(dst, rows[i])
		}
		return dst, total
	}
	skip := offset
	s.eachEvent(q, func(e *Event) bool {
		if n <= 0 {
			return false
		}
		if skip > 0 {
			skip--
			return true
		}
		dst = append(dst, e)
		n--
		return true
	})
	return dst, total
}

// eachEvent calls fn for the events q selects, in q's order (by time for
// a system), until fn returns false.
func (s *Store) eachEvent(q EventQuery, fn func(*Event) bool) {
	needle := strings.ToLower(q.Text)
	fast := !q.scanNeeded()
	visit := func(k eventKey) bool {
		// The key answers level, state and ack (and the system, by the
		// index range); only Text and a component need the event itself.
		if !q.Levels.Has(k.sev) || !q.States.Has(k.state) || !q.Ack.has(int(k.ack)) {
			return true
		}
		if !fast && !q.match(s, k.e, needle) {
			return true
		}
		return fn(k.e)
	}
	switch {
	case q.Entity.System != "":
		sys := s.System(q.Entity)
		if sys == nil {
			return
		}
		s.evBySys.AscendFrom(firstOfSystem(sys.id), func(k eventKey) bool {
			if k.sys != sys.id {
				return false
			}
			return visit(k)
		})
	case q.Levels != 0 || q.States != 0 || q.Ack != AckAny:
		s.mergeBuckets(q, visit)
	case q.Order == BySeverity:
		s.evBySev.Ascend(0, visit)
	default:
		s.evByTime.Ascend(0, visit)
	}
}

// mergeBuckets visits the events of the buckets q's level, state and ack
// filters select, merged in q's order: the cost is the rows visited times
// the number of buckets, however sparse the matches are in the whole.
func (s *Store) mergeBuckets(q EventQuery, visit func(eventKey) bool) {
	less := lessEvTime
	if q.Order == BySeverity {
		less = lessEvSev
	}
	var buf [int(numLevels) * int(numStates) * 3]cursor[eventKey]
	curs := buf[:0]
	for l := range s.evBucket {
		for st := range s.evBucket[l] {
			for a, b := range s.evBucket[l][st] {
				if b != nil && b.Len() > 0 && q.Levels.Has(Level(l)) && q.States.Has(EventState(st)) && q.Ack.has(a) {
					curs = append(curs, b.cursor())
				}
			}
		}
	}
	for len(curs) > 0 {
		best := 0
		for i := 1; i < len(curs); i++ {
			if less(curs[i].value(), curs[best].value()) {
				best = i
			}
		}
		if !visit(curs[best].value()) {
			return
		}
		curs[best].next()
		if !curs[best].ok() {
			curs = append(curs[:best], curs[best+1:]...)
		}
	}
}

func (s *Store) scanEvents(q EventQuery) []*Event {
	c := &s.evTextCache
	if c.valid && c.q == q && c.version == s.evVersion && c.order == s.sysOrder {
		return c.rows
	}
	rows := c.rows[:0]
	s.eachEvent(q, func(e *Event) bool { rows = append(rows, e); return true })
	if q.Entity.System != "" && q.Order == BySeverity {
		sort.Slice(rows, func(i, j int) bool { return lessEvSev(s.keyOfEvent(rows[i]), s.keyOfEvent(rows[j])) })
	}
	*c = evTextCache{q: q, version: s.evVersion, order: s.sysOrder, valid: true, rows: rows}
	return rows
}
