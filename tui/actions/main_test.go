package actions_test

import (
	"os"
	"testing"

	"github.com/mqdeck/mqdeck/tui/actions"
	"github.com/mqdeck/mqdeck/tui/platforms/devapi"
	"github.com/mqdeck/mqdeck/tui/platforms/drivr"
)

// How DRIVR's event topics and the device API's command updates answer an
// action is the units' (they import this package), so the internal tests
// get their readers from here.
func TestMain(m *testing.M) {
	actions.SetUnitReaders(drivr.Actions{}, devapi.Actions{})
	os.Exit(m.Run())
}
