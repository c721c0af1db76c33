package fleet

import (
	"strings"
	"time"
)

// sysKey is a system's place in the name and state indexes.
type sysKey struct {
	label string // lower-case Label
	rank  Presence
	ref   Ref
	s     *System
}

func cmpRef(a, b Ref) int {
	if c := strings.Compare(a.Platform, b.Platform); c != 0 {
		return c
	}
	if c := strings.Compare(a.Fleet, b.Fleet); c != 0 {
		return c
	}
	if c := strings.Compare(a.System, b.System); c != 0 {
		return c
	}
	return strings.Compare(a.Component, b.Component)
}

func lessByName(a, b sysKey) bool {
	if a.label != b.label {
		return a.label < b.label
	}
	return cmpRef(a.ref, b.ref) < 0
}

func lessByState(a, b sysKey) bool {
	if a.rank != b.rank {
		return a.rank < b.rank
	}
	return lessByName(a, b)
}

// rankOf is the presence the state index sorts by: staleness comes from
// the stale list (advanced by refreshStale), not from the clock, so that
// index and list agree.
func (s *Store) rankOf(sys *System) Presence {
	switch {
	case sys.Conn == ConnOffline:
		return PresenceOffline
	case sys.stale.list == &s.staleList:
		return PresenceStale
	case sys.Conn == ConnOnline:
		return PresenceOnline
	}
	return PresenceUnknown
}

// reindexSystem moves sys in the indexes when its label or rank changed.
func (s *Store) reindexSystem(sys *System) {
	label := strings.ToLower(sys.Label())
	rank := s.rankOf(sys)
	if label != sys.nameKey.label {
		s.byName.Delete(sys.nameKey)
		sys.nameKey.label = label
		s.byName.Insert(sys.nameKey)
		s.sysOrder++
		s.labels++
	}
	if label != sys.rankKey.label || rank != sys.rankKey.rank {
		s.byState.Delete(sys.rankKey)
		sys.rankKey.label, sys.rankKey.rank = label, rank
		s.byState.Insert(sys.rankKey)
		s.sysOrder++
	}
}

// system finds or creates the system of ref. seen marks a message from it:
// last seen, message count, rate, and freshness.
func (s *Store) system(ref Ref, at time.Time, seen bool) *System {
	ref.Component = ""
	s.kbuf = sysMapKey(s.kbuf[:0], ref)
	sys := s.systems[string(s.kbuf)]
	if sys == nil {
		for len(s.systems) >= s.cfg.MaxSystems {
			s.dropSystem(s.sysLRU.Front().v, false)
		}
		s.seq++
		ref = cloneRef(ref) // not slices of this message's topic
		sys = &System{Ref: ref, FirstSeen: at, history: newRing[Change](s.cfg.SystemHistory), id: s.seq}
		sys.node.v, sys.stale.v = sys, sys
		sys.mkey = string(sysMapKey(s.kbuf[:0], ref)) // eviction may have used kbuf
		s.systems[sys.mkey] = sys
		s.sysLRU.PushBack(&sys.node)
		sys.nameKey = sysKey{label: strings.ToLower(sys.Label()), rank: PresenceUnknown, ref: ref, s: sys}
		sys.rankKey = sys.nameKey
		s.byName.Insert(sys.nameKey)
		s.byState.Insert(sys.rankKey)
		s.sysOrder++
		s.created.Systems++
	} else {
		s.sysLRU.Touch(&sys.node)
	}
	if seen {
		sys.Messages++
		if at.After(sys.LastSeen) {
			sys.LastSeen = at
		}
		sys.rate.add(at, s.cfg.RatePoints)
		if !sys.Authoritative {
			wasStale := sys.stale.list == &s.staleList
			s.fresh.Touch(&sys.stale)
			if wasStale {
				sys.history.Push(Change{Time: at, What: "heard again"})
				s.reindexSystem(sys)
			}
		}
	}
	return sys
}

// setConn records a presence report. authoritative reports (the platform
// says so) exempt the system from staleness by silence.
func (s *Store) setConn(sys *System, c ConnState, since time.Time, source string, authoritative bool) {
	if authoritative && !sys.Authoritative {
		sys.Authoritative = true
		if sys.stale.list != nil {
			sys.stale.list.Remove(&sys.stale)
		}
	}
	if c != sys.Conn || sys.ConnSince.IsZero() {
		if c != sys.Conn {
			sys.history.Push(Change{Time: since, What: c.String() + " (" + source + ")"})
		}
		sys.Conn = c
		sys.ConnSince = since
	}
	sys.ConnSource = source
	s.reindexSystem(sys)
}

// refreshStale moves systems silent past StaleAfter to the stale list. The
// fresh list is in order of last seen, so this is amortized O(changes).
// It reports whether any moved. A write: Apply and Refresh call it.
func (s *Store) refreshStale(now time.Time) bool {
	if s.cfg.StaleAfter <= 0 {
		return false
	}
	moved := false
	cutoff := now.Add(-s.cfg.StaleAfter)
	for f := s.fresh.Front(); f != nil && !f.v.LastSeen.After(cutoff); f = s.fresh.Front() {
		s.staleList.Touch(f)
		f.v.history.Push(Change{Time: f.v.LastSeen.Add(s.cfg.StaleAfter), What: "stale (silent)"})
		s.reindexSystem(f.v)
		moved = true
	}
	return moved
}

// PresenceOf is what a view shows for sys: staleness as of the writer's
// last Apply or Refresh, the same the state order uses.
func (s *Store) PresenceOf(sys *System) Presence {
	if sys == nil {
		return PresenceUnknown
	}
	return s.rankOf(sys)
}

// System returns the system of ref (its Component is ignored), or nil.
// A read: the key is built on the stack, not in the writer's buffer.
func (s *Store) System(ref Ref) *System {
	var buf [128]byte
	return s.systems[string(sysMapKey(buf[:0], ref))]
}

// sysMapKey appends the map key of ref's system to dst: one string hashes
// and compares faster than a struct of four.
func sysMapKey(dst []byte, ref Ref) []byte {
	dst = append(dst, ref.Platform...)
	dst = append(dst, 0)
	dst = append(dst, ref.Fleet...)
	dst = append(dst, 0)
	return append(dst, ref.System...)
}

// dropSystem removes sys and its components and events: evicted for the
// cap, or removed because the platform deleted it.
func (s *Store) dropSystem(sys *System, removed bool) {
	ref := sys.Ref
	var comps []*Component
	s.compIdx.AscendFrom(compKey{ref: ref}, func(k compKey) bool {
		if k.ref.SystemRef() != ref {
			return false
		}
		comps = append(comps, k.c)
		return true
	})
	counter := &s.evicted
	if removed {
		counter = &s.removed
	}
	for _, c := range comps {
		s.dropComponent(c)
		counter.Components++
	}
	var evs []*Event
	s.evBySys.AscendFrom(firstOfSystem(sys.id), func(k eventKey) bool {
		if k.sys != sys.id {
			return false
		}
		evs = append(evs, k.e)
		return true
	})
	for _, e := range evs {
		s.dropEvent(e)
		counter.Events++
	}
	delete(s.systems, sys.mkey)
	s.sysLRU.Remove(&sys.node)
	if sys.stale.list != nil {
		sys.stale.list.Remove(&sys.stale)
	}
	s.byName.Delete(sys.nameKey)
	s.byState.Delete(sys.rankKey)
	s.sysOrder++
	s.labels++ // its series fall back to its id
	sys.removed = true
	counter.Systems++
}

// setSystemNames sets name and code where given.
func (s *Store) setSystemNames(sys *System, name, code string) {
	changed := false
	if name != "" && name != sys.Name {
		sys.Name, changed = name, true
	}
	if code != "" && code != sys.Code {
		sys.Code, changed = code, true
	}
	if changed {
		s.sysOrder++ // text filters match code and name
		s.reindexSystem(sys)
	}
}

// compKey is a component's place in the component index, ordered by
// system then code, so a system's components are one range.
type compKey struct {
	ref Ref
	c   *Component
}

func lessComp(a, b compKey) bool { return cmpRef(a.ref, b.ref) < 0 }

// component finds or creates a component; its system must exist (the
// caller got it from system first).
func (s *Store) component(sys *System, code string, at time.Time, seen bool) *Component {
	ref := sys.Ref
	ref.Component = code
	c := s.comps[ref]
	if c == nil {
		for len(s.comps) >= s.cfg.MaxComponents {
			s.dropComponent(s.compLRU.Front().v)
			s.evicted.Components++
		}
		code = strings.Clone(code) // not a slice of this message's topic
		ref.Component = code
		c = &Component{Ref: ref, Code: code, FirstSeen: at}
		c.node.v = c
		c.key = compKey{ref: ref, c: c}
		s.comps[ref] = c
		s.compLRU.PushBack(&c.node)
		s.compIdx.Insert(c.key)
		sys.Components++
		s.created.Components++
	} else {
		s.compLRU.Touch(&c.node)
	}
	if seen {
		c.Messages++
		if at.After(c.LastSeen) {
			c.LastSeen = at
		}
	}
	return c
}

func (s *Store) setComponentUUID(c *Component, uuid string) {
	if uuid == "" || c.UUID == uuid {
		return
	}
	if c.UUID != "" && s.compByUUID[c.UUID] == c {
		delete(s.compByUUID, c.UUID)
	}
	c.UUID = uuid
	s.compByUUID[uuid] = c
}

func (s *Store) dropComponent(c *Component) {
	delete(s.comps, c.Ref)
	if c.UUID != "" && s.compByUUID[c.UUID] == c {
		delete(s.compByUUID, c.UUID)
	}
	s.compLRU.Remove(&c.node)
	s.compIdx.Delete(c.key)
	if sys := s.System(c.Ref); sys != nil {
		sys.Components--
	}
}

// Component returns the component of ref, or nil.
func (s *Store) Component(ref Ref) *Component { return s.comps[ref] }

// ComponentByUUID finds a DRIVR component by uuid (input and error topics
// and event entityUuid name components by uuid, their own topics by code).
func (s *Store) ComponentByUUID(uuid string) *Component { return s.compByUUID[uuid] }

// Components appends the components of the system of ref, ordered by
// code, to dst. The cost is that system's component count.
func (s *Store) Components(ref Ref, dst []*Component) []*Component {
	ref.Component = ""
	s.compIdx.AscendFrom(compKey{ref: ref}, func(k compKey) bool {
		if k.ref.SystemRef() != ref {
			return false
		}
		dst = append(dst, k.c)
		return true
	})
	return dst
}
