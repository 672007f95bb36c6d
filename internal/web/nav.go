package web

// The console's sidebar as the layout draws it. The console package
// decides what goes in it (its menu, filtered by the viewer's
// permissions); the layout only draws the groups it is given, so the
// portal's pages, which carry none, keep their plain layout.

// NavGroup is one area of the sidebar: a heading and its links.
type NavGroup struct {
	Label string // translation key of the area's name
	Links []NavLink
}

// NavLink is one entry of the sidebar.
type NavLink struct {
	Href    string
	Label   string // translation key
	ID      string // element id, for tests and skip links
	Current bool   // the page shown is this entry or below it
}

// Sidebar is page data that carries a sidebar.
type Sidebar interface {
	SidebarGroups() []NavGroup
}

// Nav returns the sidebar of the page, or nil when it has none.
func (v View) Nav() []NavGroup {
	f, ok := v.Data.(*Form)
	if !ok || f == nil {
		return nil
	}
	if s, ok := f.Extra.(Sidebar); ok {
		return s.SidebarGroups()
	}
	return nil
}
