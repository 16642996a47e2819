// Imported first by the apply integration tests: the lab's ports are veth pairs, and bond-service
// reads this flag when its module loads, so it must be set before services are imported.
process.env.BONDSMITH_ALLOW_VIRTUAL_MEMBERS = '1';

export const ALLOW_VIRTUAL_MEMBERS_SET = true;
