package actions_test

import (
	"os"
	"testing"

	"github.com/mqdeck/mqdeck/tui/actions"
	"github.com/mqdeck/mqdeck/tui/platforms/drivr"
)

// How DRIVR's event topics answer a trigger-event action is the DRIVR
// unit's (it imports this package), so the internal tests get its reader
// from here.
func TestMain(m *testing.M) {
	actions.SetDRIVREvents(drivr.Actions{})
	os.Exit(m.Run())
}
