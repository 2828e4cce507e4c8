package mesos

// FileInfo is one entry of a sandbox or log folder, as LIST_FILES answers
// it (mesos.proto FileInfo): the legacy /files/browse writes the same
// facts with mode as ls -l shows it and mtime in seconds.
type FileInfo struct {
	Path  string    `json:"path"`
	Nlink int32     `json:"nlink,omitempty"`
	Size  uint64    `json:"size"`
	Mtime *TimeInfo `json:"mtime,omitempty"`
	Mode  uint32    `json:"mode,omitempty"`
	UID   string    `json:"uid,omitempty"`
	GID   string    `json:"gid,omitempty"`
}

// IsDir tells whether the entry is a folder (S_IFDIR in Mode).
func (f FileInfo) IsDir() bool { return f.Mode&0o170000 == 0o040000 }
