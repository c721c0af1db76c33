package console

import (
	"fmt"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// tabWidth adds the label's width up from its parts; it must be what the
// label measures, or the strip and the mouse's tab lookup drift apart.
func TestTabWidthMeasuresTheLabel(t *testing.T) {
	for p := Pane(0); p < paneCount; p++ {
		for narrow := 0; narrow <= 2; narrow++ {
			for _, badge := range []string{"", "✖3", "✖12.3k"} {
				label := tabLabel(p, narrow, badge)
				if got, want := tabWidth(p, narrow, badge), ansi.StringWidth(label); got != want {
					t.Errorf("tabWidth(%s, %d, %q) = %d, label %q is %d cells", p, narrow, badge, got, label, want)
				}
				want := fmt.Sprintf("%d %s", int(p)+1, p)
				if narrow == 2 && len(p.String()) > 3 {
					want = fmt.Sprintf("%d %s", int(p)+1, p.String()[:3])
				}
				if badge != "" {
					want += " " + badge
				}
				if narrow == 0 {
					want = " " + want + " "
				}
				if label != want {
					t.Errorf("tabLabel(%s, %d, %q) = %q, want %q", p, narrow, badge, label, want)
				}
			}
		}
	}
}
