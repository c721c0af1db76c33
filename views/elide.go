package views

import "strings"

// Rows must stay distinguishable when cut: "EMS Building 02" and "EMS
// Building 03" both became "EMS Bui…", three series "smart-meter-v2…".
// The tail usually tells them apart, so these cuts keep it.

// fitDotted fits "component.name" (network text) into w cells, keeping
// the name whole when it fits beside a few cells of the component
// ("smart-m….power"); else the name alone, cut at its end: names differ by
// their start (target-temperature, temperature), which a middle cut lost.
func fitDotted(comp, name string, w int) string {
	comp, name = safe(comp), safe(name)
	if i := strings.LastIndexByte(name, '.'); comp == "" && i > 0 && i < len(name)-1 {
		// "state.temperature" (a Drogue channel, a flattened object):
		// the last part tells rows apart, as a component's name does.
		comp, name = name[:i], name[i+1:]
	}
	full := name
	if comp != "" {
		full = comp + "." + name
	}
	if width(full) <= w || comp == "" {
		return fitMiddle(full, w)
	}
	if room := w - width(name) - 1; room >= 2 {
		return fit(trunc(comp, room)+"."+name, w)
	}
	return fit(name, w)
}
