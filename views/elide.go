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

// The append forms below write what the string forms return. They take
// the common case, printable ASCII, in place; anything else goes through
// the string form, so the rules live in one place.

// appendFitDotted appends fitDotted(comp, name, w).
func appendFitDotted(b []byte, comp, name string, w int) []byte {
	comp, name = safe(comp), safe(name)
	if !isPlainASCII(comp) || !isPlainASCII(name) {
		return append(b, fitDotted(comp, name, w)...)
	}
	if i := strings.LastIndexByte(name, '.'); comp == "" && i > 0 && i < len(name)-1 {
		comp, name = name[:i], name[i+1:]
	}
	if comp == "" {
		return appendFitMiddle(b, name, w)
	}
	if n := len(comp) + 1 + len(name); n <= w {
		// fitMiddle of what fits is fit: the cells as they are, padded.
		b = append(append(append(b, comp...), '.'), name...)
		return appendSpaces(b, w-n)
	}
	if room := w - len(name) - 1; room >= 2 {
		t := trunc(comp, room)
		b = append(append(append(b, t...), '.'), name...)
		return appendSpaces(b, w-(width(t)+1+len(name)))
	}
	return appendFit(b, name, w)
}

// appendFitEntity appends fitEntity(sys, comp, w) when it fits whole; a
// cut goes through fitEntity.
func appendFitEntity(b []byte, sys, comp string, w int) []byte {
	if comp == "" {
		return appendFitMiddle(b, sys, w)
	}
	if isPlainASCII(sys) && isPlainASCII(comp) {
		if n := len(sys) + 1 + len(comp); n <= w {
			b = append(append(append(b, sys...), '/'), comp...)
			return appendSpaces(b, w-n)
		}
	}
	return append(b, fitEntity(sys, comp, w)...)
}
