package backup

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// s3Store keeps objects in an S3-compatible bucket under a prefix.
type s3Store struct {
	client   *minio.Client
	bucket   string
	prefix   string
	endpoint string
	// Object lock: the mode (governance or compliance) and how many days
	// each object is retained from its upload; none when lockDays is 0.
	lockMode minio.RetentionMode
	lockDays int
	now      func() time.Time
}

func openS3(u *url.URL, transport http.RoundTripper) (Store, error) {
	q := u.Query()
	endpoint := q.Get("endpoint")
	if endpoint == "" {
		endpoint = "s3.amazonaws.com"
	}
	access, secret := q.Get("access_key"), q.Get("secret_key")
	if u.User != nil {
		access = u.User.Username()
		secret, _ = u.User.Password()
	}
	var creds *credentials.Credentials
	if access != "" {
		creds = credentials.NewStaticV4(access, secret, "")
	} else {
		creds = credentials.NewEnvAWS()
	}
	client, err := minio.New(endpoint, &minio.Options{Creds: creds, Secure: q.Get("insecure") != "true", Region: q.Get("region"), Transport: transport})
	if err != nil {
		return nil, fmt.Errorf("backup: S3 target: %w", err)
	}
	if u.Host == "" {
		return nil, errors.New("backup: an s3:// backup target needs a bucket, e.g. s3://backups/frontdesk?endpoint=…")
	}
	s := &s3Store{client: client, bucket: u.Host, prefix: strings.Trim(u.Path, "/"), endpoint: endpoint, now: time.Now}
	if err := s.objectLock(q); err != nil {
		return nil, err
	}
	return s, nil
}

// objectLock reads the target's object lock settings: object_lock=
// governance|compliance and retain_days=N (lock_days=N is the older
// spelling, compliance mode unless object_lock says otherwise).
func (s *s3Store) objectLock(q url.Values) error {
	days := q.Get("retain_days")
	if days == "" {
		days = q.Get("lock_days")
	}
	mode := strings.ToLower(q.Get("object_lock"))
	switch mode {
	case "":
		if days == "" {
			return nil
		}
		s.lockMode = minio.Compliance
	case "governance":
		s.lockMode = minio.Governance
	case "compliance":
		s.lockMode = minio.Compliance
	default:
		return fmt.Errorf("backup: object_lock in the S3 target must be governance or compliance, not %q", mode)
	}
	if days == "" {
		return errors.New("backup: object_lock in the S3 target needs retain_days=N, the days each backup object is kept locked")
	}
	n, err := strconv.Atoi(days)
	if err != nil || n < 1 || n > 36500 {
		return errors.New("backup: retain_days in the S3 target must be a whole number of days from 1 to 36500")
	}
	s.lockDays = n
	return nil
}

func (s *s3Store) String() string {
	out := "s3://" + s.bucket + "/" + s.prefix + " at " + s.endpoint
	if s.lockDays > 0 {
		out += fmt.Sprintf(" (object lock: %s, %d days)", strings.ToLower(string(s.lockMode)), s.lockDays)
	}
	return out
}
func (s *s3Store) OffSite() bool { return true }

func (s *s3Store) key(name string) string {
	if s.prefix == "" {
		return name
	}
	return path.Join(s.prefix, name)
}

func (s *s3Store) Put(ctx context.Context, name string, data []byte) error {
	opts := minio.PutObjectOptions{ContentType: "application/octet-stream"}
	if s.lockDays > 0 {
		// Object lock (the bucket must have it on) keeps even a stolen
		// credential from destroying a backup before its time. S3 wants
		// the body's MD5 (or a checksum) on a locked upload.
		opts.Mode = s.lockMode
		opts.RetainUntilDate = s.now().Add(time.Duration(s.lockDays) * 24 * time.Hour)
		opts.SendContentMd5 = true
	}
	_, err := s.client.PutObject(ctx, s.bucket, s.key(name), bytes.NewReader(data), int64(len(data)), opts)
	if err != nil {
		return fmt.Errorf("backup: upload %s: %w", name, err)
	}
	return nil
}

func (s *s3Store) Get(ctx context.Context, name string) ([]byte, error) {
	obj, err := s.client.GetObject(ctx, s.bucket, s.key(name), minio.GetObjectOptions{})
	if err != nil {
		return nil, fmt.Errorf("backup: download %s: %w", name, err)
	}
	defer obj.Close()
	b, err := readAll(obj, name)
	if err != nil {
		var er minio.ErrorResponse
		if errors.As(err, &er) && er.Code == "NoSuchKey" {
			return nil, ErrNotFound
		}
		return nil, err
	}
	return b, nil
}

func (s *s3Store) List(ctx context.Context, prefix string) ([]string, error) {
	var out []string
	base := s.key("")
	if base != "" {
		base += "/"
	}
	for obj := range s.client.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: base + prefix, Recursive: true}) {
		if obj.Err != nil {
			return nil, fmt.Errorf("backup: list %s: %w", s, obj.Err)
		}
		out = append(out, strings.TrimPrefix(obj.Key, base))
	}
	sort.Strings(out)
	return out, nil
}

func (s *s3Store) Delete(ctx context.Context, name string) error {
	if err := s.client.RemoveObject(ctx, s.bucket, s.key(name), minio.RemoveObjectOptions{}); err != nil {
		return fmt.Errorf("backup: delete %s: %w", name, err)
	}
	return nil
}
