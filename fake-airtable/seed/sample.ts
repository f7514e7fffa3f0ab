/**
 * The sample data of `seed: 'sample'` (sandbox mode): two users and three bases with fixed ids so
 * that demos and tests can name them. Alice owns the CRM and the project tracker (Bob may edit
 * the CRM); Bob alone owns "Bob's private notes" (a base Alice cannot reach).
 */
import type { FakeAdmin } from '../admin/fake-admin';
import type { BaseSpec } from '../admin/admin-schemas';

export const SAMPLE_IDS = {
  alice: 'usrSandboxAlice01',
  bob: 'usrSandboxBob0001',
  crmBase: 'appSandboxCrm0001',
  companies: 'tblCrmCompanies01',
  contacts: 'tblCrmContacts001',
  projectsBase: 'appSandboxPrj0001',
  projects: 'tblPrjProjects001',
  tasks: 'tblPrjTasks000001',
  bobBase: 'appSandboxBob0001',
  notes: 'tblBobNotes000001',
  /** Alice's workspace (create_base puts new bases there). */
  aliceWorkspace: 'wspSandboxAlice01',
} as const;

const companies: [string, string, string, number][] = [
  ['Acme Corp', 'Manufacturing', 'https://acme.example', 1200],
  ['Globex', 'Energy', 'https://globex.example', 5400],
  ['Initech', 'Software', 'https://initech.example', 310],
  ['Umbrella', 'Pharma', 'https://umbrella.example', 9000],
  ['Hooli', 'Software', 'https://hooli.example', 20000],
  ['Stark Industries', 'Manufacturing', 'https://stark.example', 15000],
  ['Wayne Enterprises', 'Conglomerate', 'https://wayne.example', 30000],
  ['Vandelay Industries', 'Import/Export', 'https://vandelay.example', 12],
];

const FIRST = [
  'Ada',
  'Grace',
  'Alan',
  'Linus',
  'Margaret',
  'Ken',
  'Barbara',
  'Dennis',
  'Radia',
  'Tim',
  'Frances',
  'Edsger',
];
const LAST = [
  'Lovelace',
  'Hopper',
  'Turing',
  'Torvalds',
  'Hamilton',
  'Thompson',
  'Liskov',
  'Ritchie',
];
const STATUSES = ['Lead', 'Customer', 'Churned'];

function contacts() {
  return Array.from({ length: 24 }, (_, i) => {
    const first = FIRST[i % FIRST.length]!;
    const last = LAST[(i * 5) % LAST.length]!;
    const company = companies[i % companies.length]![0];
    return {
      fields: {
        Name: `${first} ${last}`,
        Email: `${first}.${last}${i}@example.com`.toLowerCase(),
        Phone: `+1 555 01${String(i).padStart(2, '0')}`,
        Company: [company],
        Status: STATUSES[i % 3]!,
        'Last contacted': `2025-0${(i % 9) + 1}-${String((i % 27) + 1).padStart(2, '0')}`,
        VIP: i % 5 === 0,
        Notes:
          i % 4 === 0 ? `Met at the "Dev Days" conference.\nFollow up in Q${(i % 4) + 1}.` : '',
      },
    };
  });
}

const crm: BaseSpec = {
  id: SAMPLE_IDS.crmBase,
  name: 'Sandbox CRM',
  ownerUserIds: [SAMPLE_IDS.alice],
  collaborators: [{ userId: SAMPLE_IDS.bob, permissionLevel: 'edit' }],
  tables: [
    {
      id: SAMPLE_IDS.companies,
      name: 'Companies',
      description: 'Organisations we sell to',
      fields: [
        { name: 'Name', type: 'singleLineText' },
        {
          name: 'Industry',
          type: 'singleSelect',
          options: { choices: [...new Set(companies.map((c) => c[1]))].map((name) => ({ name })) },
        },
        { name: 'Website', type: 'url' },
        { name: 'Employees', type: 'number', options: { precision: 0 } },
      ],
      records: companies.map(([Name, Industry, Website, Employees]) => ({
        fields: { Name, Industry, Website, Employees },
      })),
    },
    {
      id: SAMPLE_IDS.contacts,
      name: 'Contacts',
      fields: [
        { name: 'Name', type: 'singleLineText' },
        { name: 'Email', type: 'email' },
        { name: 'Phone', type: 'phoneNumber' },
        {
          name: 'Company',
          type: 'multipleRecordLinks',
          options: { linkedTableId: 'Companies', inverseFieldName: 'Contacts' },
        },
        {
          name: 'Status',
          type: 'singleSelect',
          options: { choices: STATUSES.map((name) => ({ name })) },
        },
        { name: 'Last contacted', type: 'date' },
        { name: 'VIP', type: 'checkbox' },
        { name: 'Notes', type: 'multilineText' },
        { name: 'Created', type: 'createdTime' },
      ],
      views: [
        { name: 'Grid view' },
        { name: 'Customers', filterByFormula: "{Status} = 'Customer'", sort: [{ field: 'Name' }] },
      ],
      records: contacts(),
    },
  ],
};

const PROJECTS = [
  'Website relaunch',
  'Mobile app',
  'Data warehouse',
  'Support portal',
  'Q3 marketing',
];
const projects: BaseSpec = {
  id: SAMPLE_IDS.projectsBase,
  name: 'Sandbox Project Tracker',
  ownerUserIds: [SAMPLE_IDS.alice],
  tables: [
    {
      id: SAMPLE_IDS.projects,
      name: 'Projects',
      fields: [
        { name: 'Name', type: 'singleLineText' },
        {
          name: 'Status',
          type: 'singleSelect',
          options: { choices: [{ name: 'Planned' }, { name: 'In progress' }, { name: 'Done' }] },
        },
        { name: 'Owner', type: 'singleLineText' },
        { name: 'Due', type: 'date' },
        { name: 'Budget', type: 'currency', options: { precision: 2, symbol: '$' } },
      ],
      records: PROJECTS.map((Name, i) => ({
        fields: {
          Name,
          Status: ['Planned', 'In progress', 'Done'][i % 3]!,
          Owner: i % 2 ? 'Alice' : 'Bob',
          Due: `2026-0${i + 3}-15`,
          Budget: 5000 * (i + 1),
        },
      })),
    },
    {
      id: SAMPLE_IDS.tasks,
      name: 'Tasks',
      fields: [
        { name: 'Name', type: 'singleLineText' },
        {
          name: 'Project',
          type: 'multipleRecordLinks',
          options: { linkedTableId: 'Projects', inverseFieldName: 'Tasks' },
        },
        { name: 'Done', type: 'checkbox' },
        { name: 'Estimate (h)', type: 'number', options: { precision: 1 } },
        {
          name: 'Priority',
          type: 'singleSelect',
          options: { choices: [{ name: 'High' }, { name: 'Medium' }, { name: 'Low' }] },
        },
        {
          name: 'Tags',
          type: 'multipleSelects',
          options: {
            choices: [
              { name: 'frontend' },
              { name: 'backend' },
              { name: 'design' },
              { name: 'ops' },
            ],
          },
        },
        { name: 'Number', type: 'autoNumber' },
        {
          name: 'Label',
          type: 'formula',
          options: { formula: "'#' & {Number} & ' ' & UPPER({Name})" },
        },
      ],
      records: Array.from({ length: 20 }, (_, i) => ({
        fields: {
          Name: `Task ${i + 1}: ${['design', 'build', 'review', 'ship'][i % 4]} ${PROJECTS[i % PROJECTS.length]!.toLowerCase()}`,
          Project: [PROJECTS[i % PROJECTS.length]!],
          Done: i % 3 === 0,
          'Estimate (h)': (i % 7) + 0.5,
          Priority: ['High', 'Medium', 'Low'][i % 3]!,
          Tags: [['frontend'], ['backend', 'ops'], ['design'], []][i % 4]!,
        },
      })),
    },
  ],
};

const bobBase: BaseSpec = {
  id: SAMPLE_IDS.bobBase,
  name: "Bob's private notes",
  ownerUserIds: [SAMPLE_IDS.bob],
  tables: [
    {
      id: SAMPLE_IDS.notes,
      name: 'Notes',
      fields: [
        { name: 'Title', type: 'singleLineText' },
        { name: 'Body', type: 'multilineText' },
      ],
      records: ['Groceries', 'Ideas', 'Passwords are not kept here'].map((Title) => ({
        fields: { Title, Body: `Notes about ${Title.toLowerCase()}` },
      })),
    },
  ],
};

export function seedSample(admin: FakeAdmin): void {
  admin.createUser({ id: SAMPLE_IDS.alice, name: 'Alice Sandbox', email: 'alice@sandbox.example' });
  admin.createUser({ id: SAMPLE_IDS.bob, name: 'Bob Sandbox', email: 'bob@sandbox.example' });
  admin.createWorkspace({
    id: SAMPLE_IDS.aliceWorkspace,
    name: "Alice's workspace",
    ownerUserIds: [SAMPLE_IDS.alice],
  });
  admin.createBase(crm);
  admin.createBase(projects);
  admin.createBase(bobBase);
}
