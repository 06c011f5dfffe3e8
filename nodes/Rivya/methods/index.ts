// List search and load options used by the node's pickers; filled in by the resources that need them.
export const listSearch = {};
export const loadOptions = {};
