package mqtttest

// SetUsers replaces the password file of a broker started with Users; the
// broker reads it at its next Restart (a rotated credential).
func (m *Mosquitto) SetUsers(users map[string]string) {
	m.t.Helper()
	if _, err := m.writePasswords(users); err != nil {
		m.t.Fatalf("mosquitto users: %v", err)
	}
}
