package rbac

// CaptureUnmappedWarning resets the once-per-process warning of FromContext
// and records what it logs until the returned function restores it.
func CaptureUnmappedWarning(got *[]string) (restore func()) {
	old := logUnmapped
	warnedUnmapped.Store(false)
	logUnmapped = func(msg string, args ...any) { *got = append(*got, msg) }
	return func() { logUnmapped = old; warnedUnmapped.Store(false) }
}
