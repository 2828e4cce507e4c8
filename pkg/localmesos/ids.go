package localmesos

import (
	"crypto/rand"
	"fmt"
)

// newUUID returns a random (version 4) UUID's 16 bytes. Mesos checks that
// a status update's uuid has a version between 1 and 5, so all-zero or
// arbitrary bytes would not do.
func newUUID() []byte {
	b := make([]byte, 16)
	rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return b
}

// uuidString formats 16 bytes the canonical way.
func uuidString(b []byte) string {
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// validUUID is stout's UUID::fromBytes check: 16 bytes whose version nibble
// is 1 to 5.
func validUUID(b []byte) bool {
	if len(b) != 16 {
		return false
	}
	v := b[6] >> 4
	return v >= 1 && v <= 5
}
