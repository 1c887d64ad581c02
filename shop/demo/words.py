"""Small built-in word lists the demo data is assembled from (no network, no Faker)."""

from __future__ import annotations


def _words(text: str) -> tuple[str, ...]:
    # Long name lists read better as whitespace-separated text than as quoted literals.
    return tuple(text.split())


FIRST_NAMES = _words(
    """
    Alice Amara Ana Andre Arjun Astrid Ben Bianca Carlos Chen Chloe Daniel Dara Diego Elena
    Elif Emma Ethan Fatima Felix Freya Gabriel Grace Hana Hugo Ines Isaac Ivan Jade James
    Jonas Julia Kai Kenji Lara Leo Lina Lucas Maya Mateo Mia Nadia Nina Noah Olga Omar Oscar
    Priya Rafael Rosa Ruth Sami Sara Sofia Tariq Theo Uma Vera Wei Yara Yusuf Zoe
    """
)

LAST_NAMES = _words(
    """
    Abbott Adeyemi Alvarez Andersen Baker Bauer Bianchi Brennan Campbell Castro Chen Costa
    Dubois Duarte Eriksson Evans Fischer Fontaine Garcia Gupta Haddad Hansen Hughes Ibrahim
    Ito Jensen Kaur Keller Kim Kowalski Larsen Lee Lopez Marino Martin Meyer Moreau Murphy
    Nakamura Novak Okafor Olsen Park Patel Petrov Quinn Rossi Santos Schmidt Silva Singh
    Tanaka Torres Varga Walsh Weber Wright Yilmaz Young Zhang
    """
)

EMAIL_DOMAINS = ("example.com", "example.org", "example.net", "mail.example.com")

BIOS = (
    "Coffee first, then code.",
    "Weekend hiker and amateur photographer.",
    "I review kitchen gadgets so you don't have to.",
    "Bookworm. Currently reading three novels at once.",
    "Runner, cyclist, occasional swimmer.",
    "Collector of vinyl records and houseplants.",
    "Home cook experimenting with sourdough.",
    "Board game enthusiast; ask me about strategy games.",
    "Teacher by day, guitarist by night.",
    "Learning a new language every year.",
)

TOPICS = (
    "sourdough baking",
    "trail running",
    "home office setups",
    "indoor plants",
    "budget travel",
    "mechanical keyboards",
    "urban cycling",
    "film photography",
    "meal prep",
    "board games",
    "learning Spanish",
    "minimalist packing",
    "coffee brewing",
    "woodworking",
    "bird watching",
)

TITLE_PATTERNS = (
    "Five things I wish I knew about {topic}",
    "A beginner's guide to {topic}",
    "Why I gave {topic} another chance",
    "My favourite tools for {topic}",
    "{Topic}: a month-long experiment",
    "Common mistakes in {topic}",
    "What {topic} taught me about patience",
)

SENTENCES = (
    "I started out with very little equipment and a lot of enthusiasm.",
    "The first week was harder than I expected, but it got easier.",
    "A friend recommended a simple routine that made all the difference.",
    "Keeping notes helped me see what actually worked.",
    "Cheap gear is fine at the start; upgrade only what you use every day.",
    "Consistency beats intensity, at least in my experience.",
    "I found a small community online that answered all my questions.",
    "The results surprised me, and I am still refining the process.",
    "If you try this, start small and be patient with yourself.",
    "Next month I want to share the mistakes I made along the way.",
)

COMMENTS = (
    "Great write-up, thanks for sharing!",
    "I had exactly the same experience.",
    "Could you share which brand you used?",
    "This convinced me to give it a try.",
    "Interesting - I always did it the other way round.",
    "Bookmarked for the weekend.",
    "How long did it take before you saw results?",
    "Love this. More posts like this, please.",
    "I disagree a little, but good points overall.",
    "Thanks, this answered my question.",
)

# (SKU prefix, nouns of that category)
PRODUCT_CATEGORIES = (
    ("APP", ("T-Shirt", "Hoodie", "Rain Jacket", "Wool Socks", "Cap", "Scarf")),
    ("KIT", ("Chef's Knife", "Cast Iron Pan", "French Press", "Cutting Board", "Teapot")),
    ("OUT", ("Backpack", "Water Bottle", "Headlamp", "Camping Mug", "Trekking Poles")),
    ("OFF", ("Notebook", "Desk Lamp", "Fountain Pen", "Monitor Stand", "Desk Organizer")),
    ("TEC", ("Wireless Mouse", "USB-C Hub", "Bluetooth Speaker", "Keyboard", "Headphones")),
    ("HOM", ("Scented Candle", "Throw Blanket", "Plant Pot", "Wall Clock", "Cushion Cover")),
)

PRODUCT_ADJECTIVES = _words(
    """
    Classic Compact Deluxe Eco Essential Everyday Heritage Lightweight Modern Nordic Premium
    Rugged Slim Soft Sturdy Urban Vintage
    """
)

PRODUCT_COLOURS = ("Black", "Navy", "Olive", "Sand", "Grey", "Red", "White", "Teal")

SPECIES = (
    ("dog", 40),
    ("cat", 35),
    ("rabbit", 8),
    ("parrot", 4),
    ("guinea pig", 5),
    ("hamster", 4),
    ("tortoise", 2),
    ("ferret", 2),
)

PET_NAMES = _words(
    """
    Bella Biscuit Buddy Charlie Cleo Coco Daisy Felix Ginger Hazel Jasper Kiwi Loki Luna
    Mango Max Milo Misty Nala Oreo Pepper Pickles Rocky Rosie Shadow Simba Teddy Toffee
    Willow Ziggy
    """
)

VET_SPECIALTIES = (
    "General practice",
    "Surgery",
    "Dentistry",
    "Dermatology",
    "Cardiology",
    "Exotic animals",
    "Ophthalmology",
    "Internal medicine",
)

APPOINTMENT_NOTES = (
    "Annual check-up and vaccinations.",
    "Limping on the left hind leg.",
    "Follow-up after surgery.",
    "Dental cleaning.",
    "Skin irritation, scratching a lot.",
    "Not eating well for two days.",
    "Weight check and diet advice.",
    "Nail trim and ear cleaning.",
)

CLUBS = (
    ("Chess Club", "Weekly games and an annual tournament."),
    ("Robotics Society", "Build and program robots for regional competitions."),
    ("Debate Team", "Practice rounds every Thursday; all levels welcome."),
    ("Photography Club", "Photo walks, editing workshops and an end-of-year exhibition."),
    ("Drama Society", "Two productions a year, on stage and backstage roles."),
    ("Hiking Club", "Day hikes every other weekend."),
    ("Choir", "Rehearsals on Mondays, concerts each term."),
    ("Coding Club", "Hack nights and small group projects."),
    ("Student Newspaper", "Write, edit and lay out the monthly paper."),
    ("Environmental Club", "Campus clean-ups and a community garden."),
    ("Film Society", "Screenings and discussions every Friday."),
    ("Astronomy Club", "Stargazing nights with the department telescope."),
)

CAMPUSES = ("North", "South", "East", "West", "Riverside", "Downtown")

# (department code, subject, typical course topics)
DEPARTMENTS = (
    ("MATH", "Mathematics", ("Calculus", "Linear Algebra", "Statistics", "Number Theory")),
    ("CS", "Computer Science", ("Programming", "Algorithms", "Databases", "Networks")),
    ("PHYS", "Physics", ("Mechanics", "Electromagnetism", "Optics", "Thermodynamics")),
    ("CHEM", "Chemistry", ("General Chemistry", "Organic Chemistry", "Biochemistry")),
    ("BIO", "Biology", ("Cell Biology", "Genetics", "Ecology", "Microbiology")),
    ("HIST", "History", ("World History", "Medieval Europe", "Modern Asia")),
    ("ECON", "Economics", ("Microeconomics", "Macroeconomics", "Econometrics")),
    ("LIT", "Literature", ("Poetry", "The Novel", "Drama", "Creative Writing")),
    ("ART", "Art", ("Drawing", "Art History", "Sculpture", "Design")),
    ("MUS", "Music", ("Music Theory", "Composition", "Music History")),
)

LEVEL_PREFIXES = ("Introduction to", "Intermediate", "Advanced", "Topics in")

ENROLLMENT_NOTES = (
    "Transferred from the evening section.",
    "Needs extra time for exams.",
    "Strong participation in class.",
    "Missed the first two weeks.",
    "Auditing before switching majors.",
)

CATALOG_ACTORS = ("admin", "maria.ops", "tom.catalog")
REGISTRAR = "registrar"
