package fleet

import "time"

type cmdID struct {
	ref Ref
	id  string
}

// cmdKey orders commands newest first (by creation).
type cmdKey struct {
	seq uint64
	c   *Command
}

func lessCmd(a, b cmdKey) bool { return a.seq > b.seq }

// command finds or creates a command of ref by id.
func (s *Store) command(ref Ref, id string, at time.Time) *Command {
	key := cmdID{ref: ref, id: id}
	c := s.commands[key]
	if c == nil {
		for len(s.commands) >= s.cfg.MaxCommands {
			s.dropCommand(s.cmdLRU.Front().v)
			s.evicted.Commands++
		}
		s.seq++
		c = &Command{Ref: ref, ID: id, Created: at, history: newRing[Change](s.cfg.EventHistory)}
		c.node.v = c
		c.key = cmdKey{seq: s.seq, c: c}
		s.commands[key] = c
		s.cmdLRU.PushBack(&c.node)
		s.cmdIdx.Insert(c.key)
		s.created.Commands++
	} else {
		s.cmdLRU.Touch(&c.node)
	}
	c.Updated = at
	return c
}

// setStatus records a status, with a history line when it changed.
func (c *Command) setStatus(status string, at time.Time) {
	if status == "" || status == c.Status {
		return
	}
	c.Status = status
	c.history.Push(Change{Time: at, What: status})
}

func (s *Store) dropCommand(c *Command) {
	delete(s.commands, cmdID{ref: c.Ref, id: c.ID})
	s.cmdLRU.Remove(&c.node)
	s.cmdIdx.Delete(c.key)
}

// Command returns a command by entity and id, or nil.
func (s *Store) Command(ref Ref, id string) *Command { return s.commands[cmdID{ref: ref, id: id}] }

type licID struct {
	ref Ref
	id  string
}

// licKey orders licenses by entity then id.
type licKey struct {
	id licID
	l  *License
}

func lessLic(a, b licKey) bool {
	if c := cmpRef(a.id.ref, b.id.ref); c != 0 {
		return c < 0
	}
	return a.id.id < b.id.id
}

func (s *Store) license(ref Ref, id string, at time.Time) *License {
	key := licID{ref: ref, id: id}
	l := s.licenses[key]
	if l == nil {
		for len(s.licenses) >= s.cfg.MaxLicenses {
			f := s.licLRU.Front().v
			delete(s.licenses, f.key.id)
			s.licLRU.Remove(&f.node)
			s.licIdx.Delete(f.key)
			s.evicted.Licenses++
		}
		l = &License{Ref: ref, ID: id}
		l.node.v = l
		l.key = licKey{id: key, l: l}
		s.licenses[key] = l
		s.licLRU.PushBack(&l.node)
		s.licIdx.Insert(l.key)
		s.created.Licenses++
	} else {
		s.licLRU.Touch(&l.node)
	}
	l.Updated = at
	return l
}

// Licenses appends the licenses of the system of ref, by id, to dst.
func (s *Store) Licenses(ref Ref, dst []*License) []*License {
	ref.Component = ""
	s.licIdx.AscendFrom(licKey{id: licID{ref: ref}}, func(k licKey) bool {
		if k.id.ref.SystemRef() != ref {
			return false
		}
		dst = append(dst, k.l)
		return true
	})
	return dst
}
