package backup

import (
	"net/http"
	"net/url"
	"time"
)

// OpenS3Via opens an s3:// target whose client sends its requests through
// rt, with the clock now for object lock dates.
func OpenS3Via(target string, rt http.RoundTripper, now func() time.Time) (Store, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, err
	}
	st, err := openS3(u, rt)
	if err != nil {
		return nil, err
	}
	st.(*s3Store).now = now
	return st, nil
}
