package fleet

// What a text filter of the Fleet and Events panes reads: what the pane
// shows of a row and what identifies the messages behind it (issue 13
// item 5). Every Drogue topic is app/<app>, so the device and the gateway
// that sent for it are only in the route and the CloudEvent, which the
// store keeps as the system's id and Via; a DRIVR system's id is a uuid
// while its rows show its name.

// systemText reports whether the needle (lower case) is in what a fleet
// row shows or names of sys: label, code, id, the gateway that sends for
// it, the presence word, and the codes, names and uuids of its components
// (an expanded system lists them), which compHit holds by system id.
func (s *Store) systemText(sys *System, needle string, compHit map[uint64]bool) bool {
	for _, f := range [...]string{sys.Name, sys.Code, sys.Ref.System, sys.Via} {
		if f != "" && containsFold(f, needle) {
			return true
		}
	}
	return containsFold(s.rankOf(sys).String(), needle) || compHit[sys.id]
}

// compHits are the systems with a component matching needle.
type compHits struct {
	needle string
	sys    map[uint64]bool
}

// componentHits are the systems (by id) with a component whose code, name
// or uuid holds the needle: one pass over the component index.
func (s *Store) componentHits(needle string) map[uint64]bool {
	var hit map[uint64]bool
	var last Ref
	var lastSys *System
	s.compIdx.Ascend(0, func(k compKey) bool {
		c := k.c
		if !containsFold(c.Code, needle) && !containsFold(c.Name, needle) && !containsFold(c.UUID, needle) {
			return true
		}
		if sr := c.Ref.SystemRef(); lastSys == nil || sr != last {
			last, lastSys = sr, s.System(sr)
		}
		if lastSys != nil {
			if hit == nil {
				hit = map[uint64]bool{}
			}
			hit[lastSys.id] = true
		}
		return true
	})
	return hit
}

// eventText reports whether the needle (lower case) is in what an events
// row shows or names: the model code and message, the level as sent and
// as shown, the state, who acknowledged it, the entity by label (as the
// row shows it) and by id, and the event's ids.
func (s *Store) eventText(e *Event, needle string) bool {
	for _, f := range [...]string{e.ModelCode, e.Message, e.LevelText, e.ID, e.StateText, e.AckUser,
		e.Ref.System, e.Ref.Component, e.Entity, e.ModelUUID} {
		if f != "" && containsFold(f, needle) {
			return true
		}
	}
	if containsFold(levelWord(e.Level), needle) || e.State != StateNone && containsFold(e.State.String(), needle) {
		return true
	}
	if sys := e.sys; sys != nil && (containsFold(sys.Name, needle) || containsFold(sys.Code, needle) || containsFold(sys.Via, needle)) {
		return true
	}
	if e.Ref.Component != "" {
		if c := s.comps[e.Ref]; c != nil && (containsFold(c.Name, needle) || containsFold(c.UUID, needle)) {
			return true
		}
	}
	return false
}

// levelWord is the level as the events pane writes it (views.LevelWords).
func levelWord(l Level) string {
	switch l {
	case LevelWarning:
		return "WARN"
	case LevelSuccess:
		return "OK"
	case LevelNone:
		return ""
	}
	return l.String()
}
