package actions

import (
	"sort"
	"time"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/tui/fleet"
)

// Observe matches a batch from the pump against the waiting actions. The
// root calls it with the same batch it gives the store.
func (t *Tracker) Observe(batch []fleet.Item) []Change {
	if len(t.entries) == 0 {
		return nil
	}
	var out []Change
	for i := range batch {
		it := &batch[i]
		out = append(out, t.ObserveMessage(it.Msg, it.Route, it.Value)...)
	}
	return out
}

// maxSuggest bounds the suggestions a form offers.
const maxSuggest = 24

// SelectionFor gathers what the store knows about ref for a form: the
// target (a DRIVR component by its uuid when the store has seen it), the
// event model codes seen (models of the right entity type first, then those
// the entity raised lately, then the most recently seen), and the command
// names seen for the system.
func (b *Builder) SelectionFor(s *fleet.Store, ref fleet.Ref) Selection {
	sel := Selection{Target: Target{Platform: ref.Platform, Fleet: ref.Fleet, System: ref.System, Component: ref.Component}}
	if s == nil {
		return sel
	}
	if ref.Component != "" {
		if c := s.Component(ref); c != nil && c.UUID != "" {
			sel.Target.Component, sel.Target.ComponentCode = c.UUID, ref.Component
		}
	}
	want := "SYSTEM"
	if ref.Component != "" {
		want = "COMPONENT"
	}
	// Models this entity raised lately rank first (newest first): the
	// operator most likely repeats or tests one of those. The retained
	// model list arrives all at once, so its Seen order says little.
	used := map[string]int{}
	evs, _ := s.EventsWindow(fleet.EventQuery{Entity: ref}, 0, 64, nil)
	for i, e := range evs {
		if _, ok := used[e.ModelCode]; !ok && e.ModelCode != "" {
			used[e.ModelCode] = len(evs) - i
			if len(sel.EventNames) < maxSuggest {
				sel.EventNames = append(sel.EventNames, e.ModelCode)
			}
		}
	}
	models := s.EventModels(nil)
	sort.SliceStable(models, func(i, j int) bool {
		mi, mj := models[i].EntityType == want, models[j].EntityType == want
		if mi != mj {
			return mi
		}
		if ui, uj := used[models[i].Code], used[models[j].Code]; ui != uj {
			return ui > uj
		}
		// Models announced together (the retained list at subscribe)
		// are in code order; a model announced later comes first.
		if si, sj := models[i].Seen.Truncate(time.Second), models[j].Seen.Truncate(time.Second); !si.Equal(sj) {
			return si.After(sj)
		}
		return models[i].Code < models[j].Code
	})
	seen := map[string]bool{}
	for _, m := range models {
		if m.Code == "" || seen[m.Code] || (ref.Fleet != "" && m.Fleet != "" && m.Fleet != ref.Fleet) {
			continue
		}
		seen[m.Code] = true
		sel.Models = append(sel.Models, m.Code)
		if len(sel.Models) == maxSuggest {
			break
		}
	}
	sel.Settables, sel.Values = settables(s, ref, b.settable)
	cmds, _ := s.CommandsWindow(fleet.CommandQuery{Entity: ref.SystemRef()}, 0, 200, nil)
	names := map[string]bool{}
	for _, c := range cmds {
		if c.Name != "" && !names[c.Name] {
			names[c.Name] = true
			sel.Names = append(sel.Names, c.Name)
			if len(sel.Names) == maxSuggest {
				break
			}
		}
	}
	return sel
}

// settable asks the platform's unit which series the setpoint form writes;
// without one, setpoints.
func (b *Builder) settable(k fleet.SeriesKind) bool {
	if b.Unit == nil {
		return Traits{}.Writes(k)
	}
	return b.Unit.Traits().Writes(k)
}

// Acks reports whether the platform's events are acknowledged from the
// console.
func (b *Builder) Acks() bool { return b.Unit != nil && b.Unit.Traits().Acks }

// settables lists the setpoints and reported properties of the entity,
// each with its last value as JSON: setpoints written first, then the
// properties that change least (settings change rarely, measurements
// often), the most recent first among equals.
func settables(s *fleet.Store, ref fleet.Ref, settable func(fleet.SeriesKind) bool) ([]string, map[string]string) {
	if ref.System == "" {
		return nil, nil
	}
	series, _ := s.SeriesWindow(fleet.SeriesQuery{Entity: ref}, 0, 256, nil)
	var found []*fleet.Series
	for _, x := range series {
		if x.Ref.Component != ref.Component || x.Name == "" {
			continue
		}
		if settable(x.Kind) {
			found = append(found, x)
		}
	}
	sort.SliceStable(found, func(i, j int) bool {
		a, b := found[i], found[j]
		if (a.Kind == fleet.SeriesSetpoint) != (b.Kind == fleet.SeriesSetpoint) {
			return a.Kind == fleet.SeriesSetpoint
		}
		if a.Updates != b.Updates {
			return a.Updates < b.Updates
		}
		return a.LastSeen.After(b.LastSeen)
	})
	names, values := []string{}, map[string]string{}
	for _, x := range found {
		if _, dup := values[x.Name]; dup {
			continue
		}
		v := ""
		if b, err := decode.EncodeJSON(x.Last); err == nil && len(b) <= 200 {
			v = string(b)
		}
		values[x.Name] = v
		names = append(names, x.Name)
		if len(names) == maxSuggest {
			break
		}
	}
	return names, values
}
