package actions

// Seed 001 fixtures and helpers for the external tests (package
// actions_test), which build actions through the platform units of
// tui/platforms: an internal test cannot import them (they import this
// package).
const (
	SeedSlug        = slug
	SeedSys         = sysUUID
	SeedComp        = compUUID
	SeedInput       = sysInput
	SeedEventTopic  = sysEventTop
	SeedCreatedJSON = createdJSON
	SeedErrorJSON   = errorJSON
)

// SeedTime is the time of seed 001's event.
var SeedTime = seedTime

// JSONValue decodes text as a received payload would be.
var JSONValue = value

// Received is a message on topic received at at.
var Received = rx

// The units' answer readers for the internal tests, which cannot import
// the units: DRIVR's event topics and the device API's command updates.
// TestMain (main_test.go) sets them.
var (
	drivrEvents  EventReader
	devapiStatus StatusReader
)

// SetUnitReaders is for that TestMain only.
func SetUnitReaders(events EventReader, status StatusReader) {
	drivrEvents, devapiStatus = events, status
}
