/*
 * demo_names.c - the word lists and the product catalogue of the demo: people's names, company
 * name parts, industries, territories, titles, lead sources, products with prices and costs,
 * and the planted cross-sell associations and upgrade pairs (docs/demo-data.md lists them).
 * Companies get the reserved .example domain, so no generated address can reach anyone.
 */
#include <string.h>

#include "demo/demo_int.h"

#include "util/banned.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

const char *const demo_first_names[] = {
    "James",     "Mary",     "Robert",    "Patricia",  "John",      "Jennifer", "Michael",
    "Linda",     "David",    "Elizabeth", "William",   "Barbara",   "Richard",  "Susan",
    "Joseph",    "Jessica",  "Thomas",    "Sarah",     "Charles",   "Karen",    "Christopher",
    "Lisa",      "Daniel",   "Nancy",     "Matthew",   "Betty",     "Anthony",  "Margaret",
    "Mark",      "Sandra",   "Donald",    "Ashley",    "Steven",    "Kimberly", "Paul",
    "Emily",     "Andrew",   "Donna",     "Joshua",    "Michelle",  "Kenneth",  "Carol",
    "Kevin",     "Amanda",   "Brian",     "Melissa",   "George",    "Deborah",  "Timothy",
    "Stephanie", "Ronald",   "Rebecca",   "Jason",     "Sharon",    "Edward",   "Laura",
    "Jeffrey",   "Cynthia",  "Ryan",      "Kathleen",  "Jacob",     "Amy",      "Gary",
    "Angela",    "Nicholas", "Shirley",   "Eric",      "Anna",      "Jonathan", "Brenda",
    "Stephen",   "Pamela",   "Larry",     "Emma",      "Justin",    "Nicole",   "Scott",
    "Helen",     "Brandon",  "Samantha",  "Benjamin",  "Katherine", "Samuel",   "Christine",
    "Gregory",   "Debra",    "Alexander", "Rachel",    "Frank",     "Carolyn",  "Patrick",
    "Janet",     "Raymond",  "Catherine", "Jack",      "Maria",     "Dennis",   "Heather",
    "Jerry",     "Diane",    "Tyler",     "Ruth",      "Aaron",     "Julie",    "José",
    "Zoë",       "Renée",    "Björn",     "Chloé",     "Søren",     "Inés",     "François",
    "Wei",       "Hiroshi",  "Ananya",    "Oluwaseun", "Mateo",     "Fatima",   "Dmitri",
    "Ingrid",    "Kwame",    "Leila",     "Rahul",     "Sofía",     "Tomás",    "Yara",
    "Noah",      "Aaliyah",
};
const size_t demo_nfirst_names = N(demo_first_names);

const char *const demo_last_names[] = {
    "Smith",     "Johnson",   "Williams",   "Brown",      "Jones",       "Garcia",    "Miller",
    "Davis",     "Rodriguez", "Martinez",   "Hernandez",  "Lopez",       "Gonzalez",  "Wilson",
    "Anderson",  "Thomas",    "Taylor",     "Moore",      "Jackson",     "Martin",    "Lee",
    "Perez",     "Thompson",  "White",      "Harris",     "Sanchez",     "Clark",     "Ramirez",
    "Lewis",     "Robinson",  "Walker",     "Young",      "Allen",       "King",      "Wright",
    "Scott",     "Torres",    "Nguyen",     "Hill",       "Flores",      "Green",     "Adams",
    "Nelson",    "Baker",     "Hall",       "Rivera",     "Campbell",    "Mitchell",  "Carter",
    "Roberts",   "Gomez",     "Phillips",   "Evans",      "Turner",      "Diaz",      "Parker",
    "Cruz",      "Edwards",   "Collins",    "Reyes",      "Stewart",     "Morris",    "Morales",
    "Murphy",    "Cook",      "Rogers",     "Gutierrez",  "Ortiz",       "Morgan",    "Cooper",
    "Peterson",  "Bailey",    "Reed",       "Kelly",      "Howard",      "Ramos",     "Kim",
    "Cox",       "Ward",      "Richardson", "Watson",     "Brooks",      "Chavez",    "Wood",
    "James",     "Bennett",   "Gray",       "Mendoza",    "Ruiz",        "Hughes",    "Price",
    "Alvarez",   "Castillo",  "Sanders",    "Patel",      "Myers",       "Long",      "Ross",
    "Foster",    "Jimenez",   "Powell",     "Jenkins",    "Perry",       "Russell",   "Sullivan",
    "Bell",      "Coleman",   "Butler",     "Henderson",  "Barnes",      "Fisher",    "Vasquez",
    "Simmons",   "Müller",    "Schmidt",    "Novák",      "Søndergaard", "Côté",      "Gagnon",
    "Tremblay",  "Nakamura",  "Watanabe",   "Zhang",      "Wang",        "Okonkwo",   "Adeyemi",
    "Kowalczyk", "Ivanova",   "O'Brien",    "McAllister", "Fitzgerald",  "Lindqvist", "Bergström",
    "Haddad",    "Rahman",    "Singh",      "Gupta",      "Mensah",      "Herrera",   "Núñez",
};
const size_t demo_nlast_names = N(demo_last_names);

const char *const demo_company_prefixes[] = {
    "Brightwater", "Ironwood",    "Redhill",   "Blue Ridge",  "Cascade",   "Granite",
    "Silverline",  "Oakmont",     "Riverbend", "Stonebridge", "Lakeshore", "Summitview",
    "Pinecrest",   "Harborview",  "Westfield", "Eastgate",    "Northstar", "Southport",
    "Clearwater",  "Copperfield", "Maplewood", "Cedar Point", "Highland",  "Falcon",
    "Evergreen",   "Frontier",    "Keystone",  "Liberty",     "Meridian",  "Pioneer",
    "Prairie",     "Quarry",      "Sterling",  "Titan",       "Union",     "Vanguard",
    "Wolverine",   "Anchor",      "Beacon",    "Crescent",    "Delta",     "Emerald",
    "Forge",       "Gateway",     "Horizon",   "Ironclad",    "Juniper",   "Kingsley",
    "Lionheart",   "Magnolia",    "Norwood",   "Orchard",     "Paragon",   "Ridgeway",
    "Sequoia",     "Thornton",    "Upland",    "Valley",      "Whitman",   "Yellowstone",
    "Aurora",      "Bayside",     "Canyon",    "Driftwood",   "Elmhurst",  "Foxhill",
    "Glacier",     "Hawthorne",   "Inland",    "Jasper",      "Kestrel",   "Lakeside",
    "Millbrook",   "Newport",     "Oldcastle", "Pemberton",   "Redwood",   "Sandstone",
    "Timberline",  "Woodbridge",
};
const size_t demo_ncompany_prefixes = N(demo_company_prefixes);

const char *const demo_company_regions[] = {
    "",        "North",    "South",   "West",       "East",     "Great Lakes",
    "Pacific", "Atlantic", "Central", "Gulf Coast", "Mountain", "Tri-State",
};
const size_t demo_ncompany_regions = N(demo_company_regions);

const char *const demo_company_suffixes[] = {
    "Inc.", "LLC", "Corp.", "Co.", "Ltd.", "Group", "Holdings", "Industries",
};
const size_t demo_ncompany_suffixes = N(demo_company_suffixes);

const struct demo_industry demo_industries[] = {
    {"Automotive", {"Automotive", "Motor Components", "Axle"}},
    {"Food & Beverage", {"Foods", "Dairy", "Brewing"}},
    {"Chemicals", {"Chemical", "Coatings", "Polymers"}},
    {"Pharmaceuticals", {"Pharma", "Life Sciences", "Biologics"}},
    {"Packaging", {"Packaging", "Containers", "Labels"}},
    {"Mining", {"Mining", "Aggregates", "Minerals"}},
    {"Energy & Utilities", {"Energy", "Power", "Utilities"}},
    {"Water & Wastewater", {"Water", "Water Works", "Environmental"}},
    {"Pulp & Paper", {"Paper", "Pulp", "Tissue"}},
    {"Metals", {"Steel", "Metalworks", "Castings"}},
    {"Plastics", {"Plastics", "Molding", "Extrusion"}},
    {"Logistics", {"Logistics", "Distribution", "Warehousing"}},
};
const size_t demo_nindustries = N(demo_industries);

const char *const demo_territories[] = {
    "Northeast", "Southeast", "Midwest", "Southwest", "West", "Canada", "Mexico",
};
const size_t demo_nterritories = N(demo_territories);

const char *const demo_erps[] = {
    "SAP S/4HANA", "Oracle NetSuite", "Microsoft Dynamics 365", "Epicor", "Infor", "SAP ECC",
};
const size_t demo_nerps = N(demo_erps);

/* Lead sources; demo_sources[SRC_REFERRAL_INDEX] must be "Referral". */
const char *const demo_sources[] = {
    "Website", "Trade show", "Outbound prospecting", "Webinar", "Paid search",
    "Partner", "Referral",
};
const size_t demo_nsources = N(demo_sources);

static const char *const titles_dm[] = {
    "VP Operations",           "Plant Director",  "Head of Procurement", "Chief Operating Officer",
    "Director of Engineering", "General Manager", "VP Manufacturing",    "Chief Financial Officer",
};
static const char *const titles_inf[] = {
    "Maintenance Manager",  "Process Engineer", "Engineering Manager", "Purchasing Manager",
    "Reliability Engineer", "Project Manager",  "Production Manager",  "Senior Buyer",
};
static const char *const titles_user[] = {
    "Maintenance Technician",
    "Controls Engineer",
    "Production Supervisor",
    "Machine Operator",
    "Instrumentation Technician",
    "Shift Lead",
    "Electrician",
    "Field Service Coordinator",
};
const char *const *const demo_titles[3] = {titles_dm, titles_inf, titles_user};
const size_t demo_ntitles[3] = {N(titles_dm), N(titles_inf), N(titles_user)};
const char *const demo_buying_roles[3] = {"decision_maker", "influencer", "user"};

const char *const demo_notes[] = {
    "Follow up in two weeks.",
    "Asked for pricing on spare parts.",
    "Prefers email over phone.",
    "Budget review next quarter.",
    "Wants a site visit before deciding.",
    "Concerned about lead times.",
    "Comparing us with two other suppliers.",
    "Interested in the remote monitoring option.",
    "New plant manager started last month.",
    "Asked for references in the same industry.",
    "Happy with the last delivery.",
    "Requested a training plan for the night shift.",
};
const size_t demo_nnotes = N(demo_notes);

const char *const demo_void_notes[] = {
    "Void: logged against the wrong contact.",
    "Void: duplicate entry.",
    "Void: wrong interaction type.",
};
const size_t demo_nvoid_notes = N(demo_void_notes);

const char *const demo_categories[] = {
    "Controllers",        "Drives & Motors",     "Sensors",  "Software", "Pumps",
    "Valves & Cylinders", "Filtration & Fluids", "Services",
};
const size_t demo_ncategories = N(demo_categories);

int demo_category_index(const char *name)
{
    for (size_t i = 0; i < demo_ncategories; i++)
        if (strcmp(demo_categories[i], name) == 0)
            return (int)i;
    BUG("unknown product category %s", name);
}

/* Prices and unit costs in cents (USD). */
const struct demo_product demo_products[] = {
    {"NW-PLC-100", "Compact PLC", "Controllers", 1, 185000, 111000},
    {"NW-PLC-500", "Modular PLC, high performance", "Controllers", 1, 640000, 365000},
    {"NW-IO-16", "I/O module, 16 channels", "Controllers", 1, 42000, 21000},
    {"NW-HMI-10", "HMI touch panel, 10 inch", "Controllers", 1, 145000, 87000},
    {"NW-VFD-7", "Variable-frequency drive, 7.5 kW", "Drives & Motors", 1, 230000, 150000},
    {"NW-VFD-45", "Variable-frequency drive, 45 kW", "Drives & Motors", 1, 980000, 650000},
    {"NW-MTR-7", "Induction motor, 7.5 kW", "Drives & Motors", 1, 160000, 118000},
    {"NW-SERVO-2", "Servo motor and drive kit", "Drives & Motors", 1, 390000, 250000},
    {"NW-PROX-8", "Inductive proximity sensor", "Sensors", 1, 8500, 4200},
    {"NW-PRES-10", "Pressure transmitter", "Sensors", 1, 64000, 35000},
    {"NW-FLOW-50", "Electromagnetic flow meter", "Sensors", 1, 290000, 175000},
    {"NW-VIB-3", "Wireless vibration sensor", "Sensors", 1, 52000, 27000},
    {"NW-SCADA-S", "SCADA server licence", "Software", 1, 1200000, 300000},
    {"NW-ANALYTICS", "Cloud analytics subscription (annual)", "Software", 1, 480000, 140000},
    {"FP-GP-20", "Gear pump, 20 cc", "Pumps", 2, 78000, 50000},
    {"FP-PP-71", "Axial piston pump, 71 cc", "Pumps", 2, 460000, 300000},
    {"FP-HPU-15", "Hydraulic power unit, 15 kW", "Pumps", 2, 1450000, 1020000},
    {"FP-DCV-6", "Directional control valve NG6", "Valves & Cylinders", 2, 36000, 21000},
    {"FP-PRV-10", "Pressure relief valve", "Valves & Cylinders", 2, 24000, 13000},
    {"FP-CYL-63", "Hydraulic cylinder, 63 mm bore", "Valves & Cylinders", 2, 115000, 75000},
    {"FP-FLT-10", "Return filter element", "Filtration & Fluids", 2, 9500, 4500},
    {"FP-FLTKIT", "Filter service kit", "Filtration & Fluids", 2, 31000, 15500},
    {"FP-OIL-208", "Hydraulic oil, 208 l drum", "Filtration & Fluids", 2, 69000, 52000},
    {"FP-HOSE-KIT", "Hose assembly kit", "Filtration & Fluids", 2, 28000, 15000},
    {"SV-INSTALL", "Installation and commissioning (day)", "Services", 0, 160000, 95000},
    {"SV-CARE-1", "Extended service contract (1 year)", "Services", 0, 320000, 140000},
    {"SV-PM-VISIT", "Preventive maintenance visit", "Services", 0, 95000, 55000},
    {"SV-TRAIN", "Operator training (per seat)", "Services", 0, 65000, 28000},
    {"SV-SPARES", "Spare parts plan (annual)", "Services", 0, 240000, 160000},
};
const size_t demo_nproducts = N(demo_products);

/* Planted effect (f): bought together far more often than chance. */
const struct demo_association demo_associations[] = {
    {"NW-PLC-100", "NW-IO-16", 0.70, 3},  {"NW-PLC-500", "NW-IO-16", 0.75, 6},
    {"NW-VFD-7", "NW-MTR-7", 0.60, 1},    {"FP-HPU-15", "FP-FLTKIT", 0.65, 2},
    {"FP-HPU-15", "FP-OIL-208", 0.50, 2}, {"NW-SCADA-S", "SV-TRAIN", 0.70, 4},
    {"FP-PP-71", "FP-DCV-6", 0.55, 2},
};
const size_t demo_nassociations = N(demo_associations);

const struct demo_upgrade demo_upgrades[] = {
    {"NW-PLC-100", "NW-PLC-500"}, {"NW-VFD-7", "NW-VFD-45"},    {"FP-GP-20", "FP-PP-71"},
    {"FP-PP-71", "FP-HPU-15"},    {"SV-PM-VISIT", "SV-CARE-1"}, {"NW-HMI-10", "NW-SCADA-S"},
};
const size_t demo_nupgrades = N(demo_upgrades);

const char *const demo_event_kinds[] = {
    "repeat", "referral",  "upsell", "cross_sell", "volume_increase", "bad_experience",
    "churn",  "recommend", "create", "share",      "download",
};
