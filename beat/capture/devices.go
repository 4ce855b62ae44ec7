package capture

// Device is a capturable interface.
type Device struct {
	Name        string
	Description string
	Addresses   []string
	Up          bool
}
