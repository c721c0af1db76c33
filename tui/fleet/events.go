package fleet

import (
	"math"

	"github.com/mqdeck/mqdeck/decode"
	"strings"
	"time"
)

const maxTime = math.MaxInt64

// eventMapKey appends an event's map key to dst: ids are unique within a
// fleet.
func eventMapKey(dst []byte, platform, fleet, id string) []byte {
	dst = append(dst, platform...)
	dst = append(dst, 0)
	dst = append(dst, fleet...)
	dst = append(dst, 0)
	return append(dst, id...)
}

// eventKey is an event's place in the three event indexes. It is small
// (inserts move keys within a block) and carries what the level, state and
// acknowledgement filters test, so scans do not chase the Event pointer.
type eventKey struct {
	t     int64 // event time, unix nanoseconds
	seq   uint64
	sys   uint64 // System.id
	e     *Event
	sev   Level
	state EventState
	ack   uint8
}

// Newest first: time descending, then creation order descending.
func lessEvTime(a, b eventKey) bool {
	if a.t != b.t {
		return a.t > b.t
	}
	return a.seq > b.seq
}

func lessEvSev(a, b eventKey) bool {
	if a.sev != b.sev {
		return a.sev > b.sev
	}
	return lessEvTime(a, b)
}

func lessEvSys(a, b eventKey) bool {
	if a.sys != b.sys {
		return a.sys < b.sys
	}
	return lessEvTime(a, b)
}

// evBuckets counts events by level, state and acknowledgement.
type evBuckets = [numLevels][numStates][3]int

// Acknowledgement buckets.
const (
	ackNo  = 0 // can be acknowledged and is not
	ackYes = 1
	ackNA  = 2 // incidents and thing events have no acknowledgement
)

// ackBucket says which acknowledgement bucket e counts in.
func ackBucket(e *Event) int {
	switch {
	case e.Acked:
		return ackYes
	case e.acks:
		return ackNo
	}
	return ackNA
}

// event finds or creates an event of sys (ref names the component, if any).
func (s *Store) event(sys *System, ref Ref, id string, src EventSource, at time.Time) *Event {
	s.kbuf = eventMapKey(s.kbuf[:0], ref.Platform, ref.Fleet, id)
	if e := s.events[string(s.kbuf)]; e != nil {
		return e
	}
	for len(s.events) >= s.cfg.MaxEvents {
		f := s.evClosed.Front()
		if f == nil {
			f = s.evOpen.Front()
		}
		s.dropEvent(f.v)
		s.evicted.Events++
	}
	s.seq++
	// The map key is the event's own copy of its id: ID is its tail, so
	// the event keeps neither the topic nor the payload it came in.
	mkey := string(eventMapKey(s.kbuf[:0], ref.Platform, ref.Fleet, id))
	st := stampOf(at)
	e := &Event{Ref: ref, ID: mkey[len(mkey)-len(id):], Source: src.Name, acks: src.Acks, firstSeen: st, lastSeen: st, updated: st,
		time: stampZero, endTime: stampZero, ackTime: stampZero, created: stampZero,
		history: newRing[change](s.cfg.EventHistory), seq: s.seq, sys: sys}
	e.node.v = e
	s.events[mkey] = e
	s.indexEvent(s.keyOfEvent(e))
	s.evClosed.PushBack(&e.node)
	s.account(e, 1)
	s.evVersion++
	s.created.Events++
	return e
}

// keyOfEvent is e's key in the indexes. It is not stored: every change of
// what it depends on goes through updateEvent, which takes the old key
// before the change.
func (s *Store) keyOfEvent(e *Event) eventKey {
	t := e.time
	if t.isZero() {
		t = e.firstSeen
	}
	return eventKey{t: int64(t), seq: e.seq, sys: e.sys.id, e: e, sev: e.Level, state: e.State, ack: uint8(ackBucket(e))}
}

// bucket is the list of events with k's level, state and acknowledgement.
func (s *Store) bucket(k eventKey) *sortedList[eventKey] {
	b := &s.evBucket[k.sev][k.state][k.ack]
	if *b == nil {
		*b = newSortedList(lessEvTime)
	}
	return *b
}

func (s *Store) indexEvent(k eventKey) {
	s.evByTime.Insert(k)
	s.evBySev.Insert(k)
	s.evBySys.Insert(k)
	s.bucket(k).Insert(k)
}

func (s *Store) unindexEvent(k eventKey) {
	s.evByTime.Delete(k)
	s.evBySev.Delete(k)
	s.evBySys.Delete(k)
	s.bucket(k).Delete(k)
}

// firstOfSystem sorts before every event of the system in evBySys.
func firstOfSystem(id uint64) eventKey { return eventKey{sys: id, t: maxTime, seq: ^uint64(0)} }

// account adds (sign 1) or removes (-1) e from the counters.
func (s *Store) account(e *Event, sign int) {
	l, st, a := e.Level, e.State, ackBucket(e)
	s.evCounts[l][st][a] += sign
	sys := e.sys
	sys.events[l][st][a] += int32(sign)
	if st == StateActive {
		sys.ActiveEvents += sign
	}
	if a == ackNo {
		sys.UnackedEvents += sign
	}
}

// updateEvent applies fn to e, keeping counters, indexes and the eviction
// lists in step. Every mutation of an event's level, state, ack, time or
// entity goes through here.
func (s *Store) updateEvent(e *Event, at time.Time, fn func(e *Event)) {
	s.account(e, -1)
	old := s.keyOfEvent(e)
	fn(e)
	if a := stampOf(at); a > e.lastSeen {
		e.lastSeen = a
	}
	s.account(e, 1)
	if k := s.keyOfEvent(e); k != old {
		s.unindexEvent(old)
		s.indexEvent(k)
	}
	if e.State == StateActive {
		s.evOpen.Touch(&e.node)
	} else {
		s.evClosed.Touch(&e.node)
	}
	s.evVersion++
}

// setMetadata keeps md, or nothing when it is null or an empty object
// (what most DRIVR events send; the detail pane shows neither).
func (e *Event) setMetadata(md decode.Node) {
	if md.Kind == decode.KindNull || (md.Kind == decode.KindObject && len(md.Fields) == 0) {
		e.metadata = nil
		return
	}
	e.metadata = &md
}

// change is a Change as an event keeps it: 24 bytes instead of 40, the
// text shared through the store's string table.
type change struct {
	at   stamp
	what string
}

// note appends a change to e's history when it says something new.
func (e *Event) note(t *strTable, at time.Time, what string) {
	if last, ok := e.history.Last(); ok && last.what == what {
		return
	}
	e.history.Push(change{at: stampOf(at), what: t.get(what)})
}

func (s *Store) dropEvent(e *Event) {
	s.account(e, -1)
	s.kbuf = eventMapKey(s.kbuf[:0], e.Ref.Platform, e.Ref.Fleet, e.ID)
	delete(s.events, string(s.kbuf))
	s.unindexEvent(s.keyOfEvent(e))
	if e.node.list != nil {
		e.node.list.Remove(&e.node)
	}
	s.evVersion++
}

// Event returns the event id of a fleet, or nil.
// A read: the key is built on the stack, not in the writer's buffer.
func (s *Store) Event(platform, fleet, id string) *Event {
	var buf [128]byte
	return s.events[string(eventMapKey(buf[:0], platform, fleet, id))]
}

// parseLevel maps DRIVR levels and device API incident priorities.
func parseLevel(s string) Level {
	switch strings.ToUpper(s) {
	case "ERROR", "CRITICAL", "HIGH", "FATAL", "ALARM":
		return LevelError
	case "WARNING", "WARN", "MODERATE", "MEDIUM":
		return LevelWarning
	case "INFO", "LOW", "PLANNING", "NOTICE":
		return LevelInfo
	case "SUCCESS", "OK":
		return LevelSuccess
	}
	return LevelNone
}

// parseEventState maps DRIVR states and incident statuses.
func parseEventState(s string) EventState {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "ACTIVE", "OPEN":
		return StateActive
	case "RESOLVED", "CLOSED", "INACTIVE":
		return StateResolved
	}
	return StateNone
}

// EventModel returns a DRIVR event model by uuid, or nil.
func (s *Store) EventModel(uuid string) *EventModel { return s.models[uuid] }

// model finds or creates an event model.
func (s *Store) model(fleet, uuid string, at time.Time) *EventModel {
	m := s.models[uuid]
	if m == nil {
		for len(s.models) >= s.cfg.MaxEventModels {
			f := s.modelLRU.Front().v
			delete(s.models, f.UUID)
			s.modelLRU.Remove(&f.node)
			s.evicted.EventModels++
		}
		m = &EventModel{UUID: uuid, Fleet: fleet}
		m.node.v = m
		s.models[uuid] = m
		s.modelLRU.PushBack(&m.node)
		s.created.EventModels++
	} else {
		s.modelLRU.Touch(&m.node)
	}
	m.Seen = at
	return m
}
