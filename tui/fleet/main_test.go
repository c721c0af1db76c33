package fleet_test

import (
	"os"
	"testing"

	"github.com/mqdeck/mqdeck/tui/fleet"
	"github.com/mqdeck/mqdeck/tui/platforms"
)

// The store's tests feed it every platform's messages; how a platform's
// messages change the store lives in its unit (tui/platforms/<name>),
// which imports fleet, so the units are handed in from here.
func TestMain(m *testing.M) {
	fleet.SetTestPlatforms(platforms.Fleet())
	os.Exit(m.Run())
}
