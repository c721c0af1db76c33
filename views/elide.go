package views

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

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

// fitEntity fits "system/component" (terminal-safe) into w cells. Cut as
// one string, every component event of the demo read "EMS B…er": the
// system's tail ("02") and the component's head are what tell rows apart,
// so each part keeps its own: "…ng 02/Smar…".
func fitEntity(sys, comp string, w int) string {
	if comp == "" {
		return fitMiddle(sys, w)
	}
	full := sys + "/" + comp
	if width(full) <= w || w < 7 {
		return fitMiddle(full, w)
	}
	cw := min(width(comp), max(3, (w-1)/2))
	sw := w - 1 - cw
	if width(sys) < sw { // a short system name leaves its cells to the component
		sw = width(sys)
		cw = w - 1 - sw
	}
	sp := sys
	if width(sys) > sw {
		sp = fitMiddle(sys, sw)
		if sw < 8 { // a middle cut would keep one cell of the tail: keep the tail
			sp = ellipsis + ansi.TruncateLeft(sys, width(sys)-(sw-1), "")
		}
	}
	return fit(sp+"/"+trunc(comp, cw), w)
}
