"""Build the sample book used to try infini on a long document.

"The Lighthouse Keeper's Ledger" is a novel-length story in twelve chapters,
written for this project. Each chapter follows a different holder of one old
ledger, with its own people, place, object and event (see CHAPTERS). The prose
is composed from those hand-written facts plus a pool of sentence templates and
short vignettes, with a fixed random seed, so every run gives the same book.

Outputs (next to this script, in book/):
    the-lighthouse-keepers-ledger.pdf   letter size, 11pt Times, page numbers
    the-lighthouse-keepers-ledger.txt   the same text, one paragraph per line
    facts.json                          per chapter: title and key facts with keywords

Run:  python samples/make_book.py     (needs fpdf2: pip install fpdf2)
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

SEED = 1868
TITLE = "The Lighthouse Keeper's Ledger"
SLUG = "the-lighthouse-keepers-ledger"
OUT_DIR = Path(__file__).resolve().parent / "book"

PRONOUNS = {
    "she": {"he": "she", "his": "her", "him": "her", "himself": "herself"},
    "he": {"he": "he", "his": "his", "him": "him", "himself": "himself"},
}

# --------------------------------------------------------------------------
# Chapter facts: everything that makes one chapter different from another.
# --------------------------------------------------------------------------

CHAPTERS: list[dict] = [
    {
        "title": "The Keeper of Corran Head",
        "year": 1868,
        "season": "autumn",
        "months": ["September", "October"],
        "place": "Corran Head",
        "place_desc": [
            "Corran Head was a long finger of black slate pointing out into the Sound of Mure, with a white tower at its tip and nothing else for three miles in any direction.",
            "The tower had been built in 1821 by engineers who never came back to see it, and its light could be seen on a clear night from twenty miles out.",
        ],
        "landmarks": ["the rocks called the Teeth", "the keeper's cottage under the tower", "the oil store cut into the cliff", "the iron stair of one hundred and twelve steps"],
        "sounds": ["the boom of the surf in the sea caves", "the gulls quarrelling on the ledges", "the tick of the clockwork that turned the lens"],
        "smells": ["paraffin and salt", "wet wool drying by the stove", "kelp rotting on the shingle"],
        "protagonist": {
            "name": "Marta Vell", "first": "Marta", "pron": "she", "age": 34,
            "occupation": "keeper of the Corran Head light",
            "traits": ["stubborn", "patient", "exact"],
            "backstory": [
                "She had taken over the light from her father, Elias Vell, when his lungs failed him, and the Lights Board had let her keep it only because no man would live so far out for the wage.",
                "She had been born in the cottage under the tower and had learned to trim a wick before she learned to read.",
            ],
            "tasks": ["trimmed the wicks of the great lamp", "polished the brass of the lens frame", "wound the clockwork that turned the lens", "carried paraffin up the iron stair", "logged the wind and the barometer", "scraped the salt from the lantern glass"],
        },
        "ledger_arrival": [
            "Marta had bought the ledger in Mure market for one shilling and fourpence, meaning only to keep the oil accounts in it.",
            "Before the first month was out she was writing down the weather, then the ships that passed, and then, a little ashamed of herself, her own thoughts.",
        ],
        "companion": {
            "name": "Aldous Penhallow", "first": "Aldous", "pron": "he",
            "role": "the fisherman who brought the supply boat out every second Thursday",
            "desc": "a broad, slow man with a beard like a wet hearth brush who had known her father for forty years",
            "lines": [
                ['"Your father would have had that lamp lit an hour ago," Aldous said, squinting at the sky.', '"My father would have been in bed an hour ago," said Marta, "and so would you, if you had any sense."'],
            ],
        },
        "antagonist": {
            "name": "Silas Grebe", "short": "Grebe", "pron": "he",
            "role": "inspector of the Northern Lights Board",
            "motive": "wanted the Corran Head light closed and its keeper dismissed, to save the Board forty pounds a year",
            "lines": [
                ['"A light is a light, Miss Vell," Grebe said. "The Board can put a buoy on the Teeth for a fraction of what you cost us."', '"A buoy will not row out to a wreck, Mr. Grebe," said Marta.'],
            ],
        },
        "object": {"name": "her father's brass signal lamp", "short": "the signal lamp",
                   "desc": "It was an old brass signal lamp with a red shutter, and she kept it oiled and ready though no one had asked her to use it in years."},
        "event": {
            "name": "the wreck of the brig Halcyon",
            "date": "on the night of the fourteenth of October, 1868",
            "omens": [
                "The barometer fell all afternoon as if someone were pulling it down by a thread.",
                "Aldous Penhallow did not come with the supply boat, and the gulls went inland before noon.",
            ],
            "onset": [
                "By dusk the gale came out of the north-west with a noise like a train in a cutting, and the sea began to climb the Teeth.",
                "A little after ten o'clock Marta saw a ship's lights where no lights should be, drifting down on the rocks with her foremast gone.",
            ],
            "peak": [
                "The brig Halcyon struck the outer Teeth and heeled over, and Marta could hear the men shouting over the wind.",
                "The waves broke green across the rocks, and the lantern glass shook in its frame above her.",
            ],
            "turn": [
                "Marta climbed down to the landing with the signal lamp and flashed it through the spray to show the crew the one gap in the Teeth where a boat might live.",
                "Then she took her father's coble out herself, with Aldous Penhallow, who had come round the headland on foot, pulling at the oars beside her, and they brought the men off in three trips.",
            ],
            "resolution": [
                "Seven sailors of the Halcyon were carried up to the cottage and laid by the stove, and by morning all seven were alive.",
                "The Halcyon's captain, a Dane named Henrik Lund, wrote his thanks in the ledger in a shaking hand.",
            ],
            "cost": ["The coble was smashed against the landing on the third trip, and Marta's left hand was broken in two places."],
        },
        "key_entry": "15 October 1868. Seven men of the brig Halcyon brought off the Teeth in the night. All living. Coble lost. Light kept burning throughout; it did not fail once. My hand is bad and I write this with the other.",
        "outcome": [
            "When Silas Grebe read Captain Lund's letter to the Board in Edinburgh, the order to close Corran Head was withdrawn, and Marta Vell kept the light for another eleven years.",
        ],
        "handoff": [
            "In the spring of 1871 she gave the ledger, its first third full, to a young customs clerk from Port Ellery named Jonah Featherstone, who had come out to count the Halcyon's salvage and had admired it.",
        ],
        "facts": [
            {"fact": "Marta Vell keeps the lighthouse at Corran Head.", "keywords": ["Marta", "Corran Head"]},
            {"fact": "Inspector Silas Grebe wants the light closed.", "keywords": ["Grebe"]},
            {"fact": "The brig Halcyon is wrecked on the Teeth in an October gale.", "keywords": ["Halcyon"]},
            {"fact": "Marta and Aldous Penhallow rescue seven sailors, guided by her signal lamp.", "keywords": ["Aldous"]},
        ],
    },
    {
        "title": "Salt and Silver",
        "year": 1871,
        "season": "winter",
        "months": ["January", "February"],
        "place": "Port Ellery",
        "place_desc": [
            "Port Ellery was a fishing town of grey stone built in steps up the side of a steep valley, so that every chimney smoked into the windows of the house above it.",
            "Its harbour was small and deep, and it had paid more in duty to the Crown in the last century than any port of its size on the coast, most of it by accident.",
        ],
        "landmarks": ["the custom house with its clock that ran four minutes slow", "the inn called the Drowned Bell", "the bonded warehouses on Cooper's Wharf", "the harbour mouth between the two stone piers"],
        "sounds": ["the rattle of barrels on the cobbles", "the bell buoy at the harbour mouth", "the fishwives calling their prices"],
        "smells": ["tar and herring", "coal smoke from the smokehouses", "wet rope"],
        "protagonist": {
            "name": "Jonah Featherstone", "first": "Jonah", "pron": "he", "age": 22,
            "occupation": "junior clerk at the Port Ellery custom house",
            "traits": ["careful", "shy", "quick with figures"],
            "backstory": [
                "He was the son of a chapel minister from the inland hills, had never been to sea, and had taken the clerkship because it came with a room above the custom house and a fire he did not have to pay for.",
                "His mother had taught him arithmetic with dried peas on the kitchen table, and he still saw numbers, when he closed his eyes, as little heaps of peas.",
            ],
            "tasks": ["copied manifests into the long books of the custom house", "weighed casks of salt fish on the brass beam scale", "checked the seals on the bonded warehouse doors", "walked the quay at the turn of the tide", "counted coin for the collector's strongbox", "read the tide tables by candlelight"],
        },
        "ledger_arrival": [
            "He had been sent out to Corran Head to count the salvage of the Halcyon, and Marta Vell had given him the ledger when he admired it, saying that a man who counted things ought to have somewhere to put them.",
        ],
        "companion": {
            "name": "Agnes Tull", "first": "Agnes", "pron": "she",
            "role": "the widow who kept the Drowned Bell inn",
            "desc": "a narrow, sharp woman who heard every rumour on the waterfront and repeated none of them unless she chose to",
            "lines": [
                ['"A clerk who reads his own figures," Agnes said, setting down his soup. "They will not know what to do with you."', '"They pay me to read them," said Jonah.', '"They pay you to copy them," said Agnes Tull. "It is not the same thing at all."'],
            ],
        },
        "antagonist": {
            "name": "Captain Reuben Sallow", "short": "Sallow", "pron": "he",
            "role": "master of the coaster Merrow and the richest man in Port Ellery",
            "motive": "was running Spanish silver coin into the harbour in the false bottoms of his salt barrels",
            "lines": [
                ['"You are new here, Mr. Featherstone," said Captain Sallow pleasantly. "In Port Ellery we find that a barrel weighs whatever the manifest says it weighs."', '"Then the barrels of Port Ellery are very obliging," said Jonah, "and my scale is not."'],
            ],
        },
        "object": {"intro": "In his waistcoat pocket Jonah carried something that was not his.", "name": "a dented silver snuffbox", "short": "the snuffbox",
                   "desc": "It was a dented silver snuffbox engraved with a mermaid, which Jonah had found in the spilled salt on Cooper's Wharf and kept, meaning to find its owner."},
        "event": {
            "name": "the raid on the Merrow",
            "kind": "contest",
            "date": "on the morning of the ninth of March, 1871",
            "omens": [
                "Jonah noticed that the salt barrels landed from the Merrow weighed eleven pounds more than salt barrels had any right to weigh.",
                "Agnes Tull told him that Captain Sallow had paid his crew at the Drowned Bell in coin that was not English.",
            ],
            "onset": [
                "Jonah wrote out his figures in the ledger, every barrel and every weight, and carried them to the collector before dawn.",
                "The collector, old Mr. Ormsby, read them twice, took off his spectacles, and sent for the revenue cutter.",
            ],
            "peak": [
                "When the revenue men knocked out the false bottoms on Cooper's Wharf, Spanish dollars poured out onto the stones like water.",
                "Reuben Sallow drew a pistol and swore before the whole quay that the clerk had planted the coin himself.",
            ],
            "turn": [
                "Jonah took the mermaid snuffbox from his pocket and showed that it had come out of the same barrels, and that Sallow's own initials were scratched inside its lid.",
                "The crew of the Merrow, seeing how the wind lay, began to talk all at once, each trying to be first.",
            ],
            "resolution": [
                "Reuben Sallow was taken to the county gaol in irons, and four thousand Spanish dollars went into the collector's strongbox.",
                "Jonah Featherstone was made a full officer of customs at twenty-two, the youngest Port Ellery had ever had.",
            ],
            "cost": ["Someone threw a stone through the custom house window that night, and Jonah did not walk the quay alone again that winter."],
        },
        "key_entry": "9 March 1871. Merrow searched at Cooper's Wharf. 212 barrels opened; false bottoms in 188 of them. Spanish dollars to the value of some four thousand. R. Sallow taken. The snuffbox was his. I did not sleep and do not expect to.",
        "outcome": [
            "Sallow's trial at the spring assize took an afternoon, and the Merrow was sold at auction to a Welsh company that renamed her and painted over the mermaid on her stern.",
        ],
        "handoff": [
            "In the autumn Jonah sent the ledger north, wrapped in oilcloth, to a ship's doctor named Ingrid Halvorsen, who had nursed him through a fever at the Drowned Bell and was bound for the whaling stations.",
        ],
        "facts": [
            {"fact": "Jonah Featherstone is a customs clerk at Port Ellery.", "keywords": ["Jonah", "Port Ellery"]},
            {"fact": "Captain Reuben Sallow smuggles Spanish silver in salt barrels on the Merrow.", "keywords": ["Sallow"]},
            {"fact": "Jonah's weighing exposes the false-bottomed barrels and the silver is seized.", "keywords": ["silver"]},
            {"fact": "A mermaid snuffbox with Sallow's initials proves his guilt.", "keywords": ["snuffbox"]},
            {"fact": "Agnes Tull of the Drowned Bell inn helps him.", "keywords": ["Agnes"]},
        ],
    },
    {
        "title": "The Frozen Harbour",
        "year": 1874,
        "season": "winter",
        "months": ["November", "December"],
        "place": "Kestrel Bay",
        "place_desc": [
            "Kestrel Bay was a whaling station at the top of the world, a scatter of tarred huts, a chapel and a storehouse along a beach of black gravel, with mountains behind it that kept their snow in August.",
            "In summer it held three hundred men and the stink of boiling blubber; in winter, if the ships were caught, it held whoever was unlucky.",
        ],
        "landmarks": ["the wooden chapel of Saint Nils above the beach", "the flensing yard", "the six ships locked in the ice", "the storehouse with its tin roof"],
        "sounds": ["the ice groaning under the hulls", "the dogs howling in the settlement", "the wind singing in the rigging"],
        "smells": ["whale oil", "woodsmoke", "frozen canvas"],
        "protagonist": {
            "name": "Ingrid Halvorsen", "first": "Ingrid", "pron": "she", "age": 31,
            "occupation": "ship's doctor on the whaler Northern Star",
            "traits": ["brisk", "unsentimental", "tireless"],
            "backstory": [
                "She had trained in Christiania under a surgeon who did not believe women should hold a knife, and had learned more from watching him be wrong than from anything he taught.",
                "No hospital would employ her, so she had gone to sea, where nobody asked a doctor for anything but to be sober and present.",
            ],
            "tasks": ["boiled her instruments in the copper pan", "counted the lemons and the bottles of lime juice", "listened to the chests of the men at morning muster", "melted snow for drinking water", "wrote up the sick list", "walked across the ice to the other ships"],
        },
        "ledger_arrival": [
            "The ledger came to her in a parcel from Port Ellery, with a note from Jonah Featherstone saying that it had been lucky for him and might be for her, and that she should write in it whatever the cold made her think.",
        ],
        "companion": {
            "name": "Ezra Quill", "first": "Ezra", "pron": "he",
            "role": "cook of the Northern Star",
            "desc": "a small, cheerful man with one ear missing who could make a soup out of nothing and often had to",
            "lines": [
                ['"Soup," said Ezra, putting the bowl into her hands. "Do not ask what is in it, Doctor. It is better for both of us."', '"I am a doctor, Ezra," said Ingrid. "I have seen worse than your soup."', '"Not yet you have not," said Ezra Quill.'],
            ],
        },
        "antagonist": {
            "name": "Cornelius Drave", "short": "Drave", "pron": "he",
            "role": "master of the whaling fleet",
            "motive": "kept the fleet's flour and salt pork locked in the storehouse and meant to sell it back to the crews at ten times its price when the ice broke",
            "lines": [
                ['"The stores belong to the owners, Doctor," Drave said. "I answer to the owners, not to a woman with a bag of knives."', '"Then you may tell the owners how many men you buried," said Ingrid.'],
            ],
        },
        "object": {"name": "a rosewood surgeon's case", "short": "the surgeon's case",
                   "desc": "It was a rosewood surgeon's case lined with green baize, with a silver plate bearing the name of the teacher who had said she would never use it."},
        "event": {
            "name": "the winter fever at Kestrel Bay",
            "date": "in the first week of January, 1874",
            "omens": [
                "The harbour froze in a single night at the end of November, and the six ships were held fast like flies in amber.",
                "By Christmas the men's gums had begun to bleed, and Ingrid knew the lime juice would not last until spring.",
            ],
            "onset": [
                "In the first week of January a fever broke out on the Northern Star and spread across the ice to the other ships within days.",
                "Ingrid turned the chapel of Saint Nils into an infirmary and laid forty men in rows between the pews.",
            ],
            "peak": [
                "On the worst night eleven men were burning with fever at once, and two of them died before morning.",
                "Cornelius Drave still refused to open the storehouse, saying that the sick would die anyway and the healthy would need the food.",
            ],
            "turn": [
                "Ingrid opened her surgeon's case, took out the bone saw, and with Ezra Quill beside her cut the padlock from the storehouse door in front of the whole settlement.",
                "She wrote every sack and cask she took in the ledger, with its price, so that no one could ever say she had stolen.",
            ],
            "resolution": [
                "With proper food and Ezra Quill's broths the fever broke in the third week, and thirty-six of the forty men lived.",
                "When the ice released the ships in March, not one crew would sail under Cornelius Drave, and he went home as a passenger.",
            ],
            "cost": ["Ingrid caught the fever herself at the end and lay for nine days in the chapel she had made into a hospital."],
        },
        "key_entry": "19 January 1874. Storehouse opened this morning. Taken: flour 14 sacks, pork 6 casks, oatmeal 9 sacks, molasses 2 barrels. Prices as Drave's own list. Forty in the chapel; two dead Tuesday. Ezra has not slept. Nor I.",
        "outcome": [
            "The owners in Dundee paid for the stores without a murmur once they had read the ledger's figures, and sent Ingrid a letter of thanks that she used to light the stove.",
        ],
        "handoff": [
            "The next summer she gave the ledger to a surveyor named Felix Ambrose, who had come north to chart Kestrel Bay and was going home to survey the fens along the River Wend.",
        ],
        "facts": [
            {"fact": "Ingrid Halvorsen is a ship's doctor stranded at Kestrel Bay when the harbour freezes.", "keywords": ["Ingrid", "Kestrel Bay"]},
            {"fact": "A fever breaks out and she turns the chapel of Saint Nils into an infirmary.", "keywords": ["fever"]},
            {"fact": "Fleet master Cornelius Drave hoards the food in the storehouse.", "keywords": ["Drave"]},
            {"fact": "She cuts the storehouse lock with cook Ezra Quill, and most of the men survive.", "keywords": ["Ezra"]},
        ],
    },
    {
        "title": "The Cartographer's Error",
        "year": 1877,
        "season": "spring",
        "months": ["March", "April"],
        "place": "Millbrook Fen",
        "place_desc": [
            "Millbrook Fen was flat country, so flat that a man standing on a gate could see the weather coming a day before it arrived, and the sky took up nine-tenths of every view.",
            "The fen had been drained two hundred years before by Dutch engineers, and it stayed dry only because of the great dyke along the River Wend and the windpumps that never stopped turning.",
        ],
        "landmarks": ["the great dyke along the River Wend", "the windpump at Heron's Reach", "the village school with its crooked bell turret", "the sluice gates at Millbrook Lock"],
        "sounds": ["the creak of the windpump sails", "the bitterns booming in the reeds", "the slap of water against the sluice"],
        "smells": ["peat smoke", "river mud", "wet reed"],
        "protagonist": {
            "name": "Felix Ambrose", "first": "Felix", "pron": "he", "age": 40,
            "occupation": "surveyor and mapmaker",
            "traits": ["meticulous", "proud", "lonely"],
            "backstory": [
                "He had mapped coasts for the Admiralty for fifteen years and had taken the fen survey because he was tired of the sea and wanted to walk on land that kept still.",
                "He had never married, and said, when asked, that he had been engaged for most of his life to the Ordnance datum.",
            ],
            "tasks": ["set up the theodolite on its three brass legs", "chained the distances between the drainage cuts", "inked his field notes into fair copies", "took levels along the top of the great dyke", "paid the chain boys their Saturday wages", "cleaned the lenses of his instruments with chamois"],
        },
        "ledger_arrival": [
            "Ingrid Halvorsen had given him the ledger on the quay at Kestrel Bay, saying that a man who measured the world for a living should try measuring himself for a change.",
        ],
        "companion": {
            "name": "Lettice Marlowe", "first": "Lettice", "pron": "she",
            "role": "the schoolmistress of Millbrook",
            "desc": "a tall young woman who taught forty children in one room and could silence all of them by lifting one eyebrow",
            "lines": [
                ['"You measure everything, Mr. Ambrose," Lettice said. "Have you measured my schoolroom?"', '"Forty-one feet by twenty-two," said Felix. "And the floor is eleven inches higher at the north end."', '"I know," said Lettice Marlowe. "The children roll marbles down it."'],
            ],
        },
        "antagonist": {
            "name": "Lord Hadrian Stoke", "short": "Lord Stoke", "pron": "he",
            "role": "owner of most of the fen",
            "motive": "had paid for an earlier survey that showed the great dyke sound, so that he would not have to pay to mend it",
            "lines": [
                ['"My survey says the dyke is sound, Mr. Ambrose," Lord Stoke said. "I paid a great deal for that survey."', '"Then you were robbed, my lord," said Felix, "and the river will be the one to tell you so."'],
            ],
        },
        "object": {"name": "a brass theodolite", "short": "the theodolite",
                   "desc": "It was a brass theodolite by Troughton, older than Felix himself, that had measured half the coast of Scotland and still read true to a few seconds of arc."},
        "event": {
            "name": "the breaking of the Wend dyke",
            "date": "on the night of the twenty-second of April, 1877",
            "omens": [
                "Felix's levels showed that the great dyke had sunk nearly three feet at Heron's Reach, where the old map said it stood firm.",
                "Lettice Marlowe told him that the children from the low farms had been coming to school with wet boots for a month.",
            ],
            "onset": [
                "Spring rain fell for nine days on the hills, and the River Wend rose until it was lapping at the top of the dyke.",
                "Felix took his figures to Lord Stoke, who called them the error of a man used to measuring water instead of land.",
            ],
            "peak": [
                "On the night of the twenty-second of April the dyke broke at Heron's Reach, and the water came across the fen in a brown wall.",
                "Eleven farms stood in the path of the flood, and the school stood on the only rise for two miles.",
            ],
            "turn": [
                "Felix had set up the theodolite on the school roof days before, and from his levels he knew which lanes stood highest; he and Lettice Marlowe led the families along them to the schoolhouse by lantern light.",
                "By dawn they had brought one hundred and four people into a room built for forty children.",
            ],
            "resolution": [
                "No one drowned in the Millbrook flood, though the water stood on the fen for six weeks.",
                "Felix's survey, printed in the county paper, showed exactly where the old map had lied, and Lord Stoke was made to pay for a new dyke.",
            ],
            "cost": ["The theodolite was knocked into the flood on the last night, and Felix never found it again."],
        },
        "key_entry": "23 April 1877. Dyke broke at Heron's Reach at about 11 last night. 104 souls in the schoolroom. Water 3 ft 7 in. at the school step at 6 a.m. and rising slowly. The levels were right. I would give a great deal for them to have been wrong.",
        "outcome": [
            "The new dyke was built in 1878 to Felix's levels, eighteen inches higher than the old, and the county named the school lane Ambrose Lane, which embarrassed him very much.",
        ],
        "handoff": [
            "When he left the fen he gave the ledger to a glassblower's daughter from Vennick named Clara Dunmore, who had come with her father to glaze the new school windows.",
        ],
        "facts": [
            {"fact": "Felix Ambrose surveys Millbrook Fen.", "keywords": ["Felix", "Millbrook"]},
            {"fact": "His levels show the Wend dyke has sunk, but Lord Hadrian Stoke relies on a false survey.", "keywords": ["Stoke"]},
            {"fact": "The dyke breaks and the fen floods.", "keywords": ["flood"]},
            {"fact": "Felix and schoolmistress Lettice Marlowe lead 104 people to the schoolhouse.", "keywords": ["Lettice"]},
        ],
    },
    {
        "title": "The Glassblower's Daughter",
        "year": 1880,
        "season": "summer",
        "months": ["June", "July"],
        "place": "Vennick",
        "place_desc": [
            "Vennick was a canal town that lived on sand, coal and fire: the sand came up from the estuary by barge, the coal came down from the hills, and the fire never went out in the glassworks along the basin.",
            "At night the glow of the furnaces lit the undersides of the clouds, and travellers on the turnpike thought the town was burning.",
        ],
        "landmarks": ["the brick cone of the Dunmore Glassworks", "the canal basin", "the chapel on Furnace Row", "Crane's new factory across the canal"],
        "sounds": ["the roar of the furnace", "the tap of the wooden jacks on hot glass", "the barges knocking together in the basin"],
        "smells": ["hot sand", "burning coal", "linseed oil"],
        "protagonist": {
            "name": "Clara Dunmore", "first": "Clara", "pron": "she", "age": 19,
            "occupation": "glassblower at her father's works",
            "traits": ["quick", "fearless", "impatient"],
            "backstory": [
                "Her father, Walter Dunmore, had lost the sight of one eye to a furnace flash, and since then Clara had done the fine work he could no longer see to do.",
                "The men at the works had laughed at her for a month and then stopped, because her bottles were better than theirs.",
            ],
            "tasks": ["gathered molten glass on the end of the blowpipe", "shaped bottle necks with the wooden jacks", "fed the annealing oven", "sorted the cullet by colour", "packed the finished floats in straw", "mixed the batch of sand, soda and lime"],
        },
        "ledger_arrival": [
            "Felix Ambrose had given her the ledger at Millbrook when the school windows were finished, telling her that the people who had kept it were all people who noticed things, and that she noticed things.",
        ],
        "companion": {
            "name": "Ned Harrow", "first": "Ned", "pron": "he",
            "role": "the youngest apprentice at the glassworks",
            "desc": "a gangling boy of sixteen with burnt fingers and a habit of whistling hymns in the wrong key",
            "lines": [
                ['"Miss Clara," said Ned, "the men say Crane will have this place by Christmas."', '"The men say a great deal," said Clara, "and blow very little glass while they are saying it. Pass me the jacks, Ned."'],
            ],
        },
        "antagonist": {
            "name": "Bartholomew Crane", "short": "Crane", "pron": "he",
            "role": "owner of the rival glass factory across the canal",
            "motive": "wanted the Dunmore works closed so that he could buy their canal frontage cheaply",
            "lines": [
                ['"Your father is an old man, Miss Dunmore," said Crane. "Old men should sell while there is still something to sell."', '"My father is fifty-one," said Clara, "and there will always be something to sell, Mr. Crane, as long as I can blow."'],
            ],
        },
        "object": {"name": "a float of blue glass", "short": "the blue float",
                   "desc": "It was a fishing float of deep blue glass, the first thing she had ever blown, with a bubble trapped inside it like a small moon."},
        "event": {
            "name": "the fire at the Dunmore Glassworks",
            "date": "on the evening of the second of August, 1880",
            "omens": [
                "Clara found the gas valve on the old furnace turned half open one morning when she was certain she had closed it.",
                "Ned Harrow saw a man in a good coat talking to the night stoker at the canal gate after dark.",
            ],
            "onset": [
                "On the evening of the second of August the old furnace flashed over, and fire ran along the roof beams of the cone.",
                "Six men were working the night shift in the packing room behind the furnace.",
            ],
            "peak": [
                "The smoke filled the cone until the furnace mouth was only an orange glow in the dark.",
                "The main door was blocked by a fallen beam, and the packing room had no other door.",
            ],
            "turn": [
                "Clara remembered the old cullet chute that ran from the packing room down to the canal, and with Ned Harrow she broke it open from outside with a crowbar.",
                "The six men slid down the chute into the canal basin one after another, and Clara counted them aloud as they came, holding the blue float up in the firelight so they could see where to swim.",
            ],
            "resolution": [
                "All six men lived, and the fire brigade from the town saved half of the cone.",
                "The night stoker confessed that Bartholomew Crane had paid him five pounds to leave the valve open.",
            ],
            "cost": ["Clara's hair was burned short on one side, and the old furnace, which her grandfather had built, was never lit again."],
        },
        "key_entry": "3 August 1880. Fire in the cone last night. Six out by the cullet chute: Abbott, Lyle, the two Pryce brothers, Dick Sharrow, old Hume. All alive. Ned was splendid. Father wept, which I have never seen. The stoker has told the constable who paid him.",
        "outcome": [
            "Crane's factory was sold to pay his fines and his lawyers, and Walter Dunmore bought its best furnace at the auction for a tenth of what it had cost.",
        ],
        "handoff": [
            "Clara gave the ledger to a printer from Wyndham Cross named Samuel Okafor, who had printed the handbills for the reopening of the works and had asked, shyly, whether he might read it.",
        ],
        "facts": [
            {"fact": "Clara Dunmore blows glass at her father's works in Vennick.", "keywords": ["Clara", "Vennick"]},
            {"fact": "Rival owner Bartholomew Crane has the furnace sabotaged.", "keywords": ["Crane"]},
            {"fact": "A fire traps six men at the Dunmore Glassworks.", "keywords": ["fire"]},
            {"fact": "Clara and apprentice Ned Harrow free them through the cullet chute into the canal.", "keywords": ["Ned"]},
        ],
    },
    {
        "title": "The Election at Wyndham Cross",
        "year": 1883,
        "season": "autumn",
        "months": ["September", "October"],
        "place": "Wyndham Cross",
        "place_desc": [
            "Wyndham Cross was a market town built around a crossroads and a medieval stone cross that had lost its head to the Puritans and its steps to the road menders.",
            "It had a corn exchange, two banks, eleven public houses and one newspaper, and it was governed, as it had been for twenty years, by whoever Josiah Pike said should govern it.",
        ],
        "landmarks": ["the headless market cross", "the Corn Exchange where the votes were counted", "the Courier office on Tanner's Lane", "the Red Lion where the Alderman's men drank"],
        "sounds": ["the thump of the press", "the market bell", "the carts on the cobbles"],
        "smells": ["printer's ink", "hot paper", "straw and horses from the market"],
        "protagonist": {
            "name": "Samuel Okafor", "first": "Samuel", "pron": "he", "age": 37,
            "occupation": "printer and publisher of the Wyndham Cross Courier",
            "traits": ["patient", "dry-humoured", "stubborn"],
            "backstory": [
                "His father had come to the coast from Lagos as a ship's carpenter and married a farrier's daughter, and Samuel had grown up setting type in another man's shop until he could buy his own.",
                "He had bought the Courier when it was four pages of advertisements and made it eight pages of news, which not everyone in Wyndham Cross had thanked him for.",
            ],
            "tasks": ["set type by hand from the wooden cases", "inked the forme with the big roller", "pulled proofs on the old iron press he called the Gorgon", "folded the Courier for the newsboys", "read the parish notices aloud to check them", "oiled the platen of the press"],
        },
        "ledger_arrival": [
            "Clara Dunmore had sent him the ledger from Vennick with a note that said only: you print what is true, so you had better keep this.",
        ],
        "companion": {
            "name": "Harriet Lune", "first": "Harriet", "pron": "she",
            "role": "secretary of the Wyndham Cross ratepayers' association",
            "desc": "a widow with a loud voice and a louder hat, who had read every law on elections published since 1832",
            "lines": [
                ['"Section four of the Ballot Act, Mr. Okafor," Harriet said, tapping the page. "Every paper to be numbered. These are not numbered."', '"Then someone has been careless," said Samuel.', '"Someone," said Harriet Lune, "has been very careful indeed."'],
            ],
        },
        "antagonist": {
            "name": "Alderman Josiah Pike", "short": "Pike", "pron": "he",
            "role": "master of the Corn Exchange and three times mayor",
            "motive": "meant to be mayor a fourth time and had arranged for the ballot papers to be printed by a cousin, with a thousand extra for his own use",
            "lines": [
                ['"A newspaper is a business, Okafor," said Alderman Pike. "Businesses in this town need friends."', '"A newspaper has readers, Alderman," said Samuel. "That is a different thing from friends, and more useful."'],
            ],
        },
        "object": {"name": "an iron hand press he called the Gorgon", "short": "the Gorgon",
                   "desc": "It was an iron hand press of 1829 with a cast eagle on its counterweight, which Samuel called the Gorgon because one look at the proofs it pulled could turn a councillor to stone."},
        "event": {
            "name": "the Wyndham Cross election",
            "kind": "contest",
            "date": "on the first of November, 1883",
            "omens": [
                "A boy brought Samuel a bundle of ballot papers found in a gutter behind the Red Lion, already marked for Pike.",
                "Harriet Lune noticed that the printer named at the foot of the official ballots did not exist.",
            ],
            "onset": [
                "Samuel compared the gutter ballots with the official ones under a glass and saw the same broken letter e in both, the mark of a single worn piece of type.",
                "He traced the type to the shop of Pike's cousin, who had ordered paper for three thousand ballots in a town with two thousand voters.",
            ],
            "peak": [
                "On the night before the election Pike's men broke into the Courier office and smashed the type cases onto the floor.",
                "Samuel and Harriet sat up until dawn resetting the story letter by letter from the spilled type.",
            ],
            "turn": [
                "At six in the morning the Gorgon printed eight hundred copies of a single sheet showing the two ballots side by side, the broken e circled in red.",
                "Harriet Lune's ratepayers handed the sheets to every voter queuing outside the Corn Exchange.",
            ],
            "resolution": [
                "The returning officer stopped the count, a thousand false ballots were found in a cupboard in the Corn Exchange, and Josiah Pike lost the election to a baker.",
                "The Courier sold out three printings that week, the first time in its history.",
            ],
            "cost": ["Samuel's type cases took a year to replace, and the Courier missed an issue for the first time in twelve years."],
        },
        "key_entry": "1 November 1883. Polling day. 800 sheets off the Gorgon by 6. Count stopped at 11. Cupboard in the Exchange: 1,012 papers, all marked for Pike. H. Lune magnificent. The floor of the shop is still covered in type; I keep treading on the letter e.",
        "outcome": [
            "Josiah Pike resigned from the council before the magistrates could ask him to, and his cousin's shop closed and reopened under a different name in a different county.",
        ],
        "handoff": [
            "A travelling bell-founder named Teodor Marek, who bought a Courier in the market and stayed to talk for an hour, went away with the ledger in his pack.",
        ],
        "facts": [
            {"fact": "Samuel Okafor prints the Wyndham Cross Courier.", "keywords": ["Samuel", "Wyndham Cross"]},
            {"fact": "Alderman Josiah Pike rigs the election with extra ballots.", "keywords": ["Pike"]},
            {"fact": "A broken letter e in the type links the forged ballots to Pike's cousin.", "keywords": ["ballot"]},
            {"fact": "Samuel and Harriet Lune print and hand out the evidence on polling day.", "keywords": ["Harriet"]},
        ],
    },
    {
        "title": "The Bell of Saint Oda",
        "year": 1886,
        "season": "winter",
        "months": ["December", "January"],
        "place": "Haldenmoor",
        "place_desc": [
            "Haldenmoor was a village of forty houses built on a shelf of the mountain, with the church of Saint Oda at its upper end and a drop of a thousand feet at its lower.",
            "Above the village a long bare gully called the Grey Tongue ran straight down from the ridge, and for three hundred years a forest had stood across the top of it like a hand held up.",
        ],
        "landmarks": ["the church of Saint Oda", "the avalanche gully called the Grey Tongue", "the inn at the top of the village", "the goat pastures on the Haldenmoor shoulder"],
        "sounds": ["the goat bells on the high pasture", "the meltwater running under the snow", "the wind over the ridge"],
        "smells": ["hot bronze", "pine resin", "goats and hay"],
        "protagonist": {
            "name": "Teodor Marek", "first": "Teodor", "pron": "he", "age": 52,
            "occupation": "bell-founder",
            "traits": ["grave", "deliberate", "gentle"],
            "backstory": [
                "He came from a family of bell-founders in Moravia and had cast bells for forty churches, always travelling to them and pouring the metal in a pit dug beside the church itself.",
                "He said that a bell should be born where it would live, so that it would know the sound of its own valley.",
            ],
            "tasks": ["dug at the casting pit beside the church", "built up the clay core of the bell", "shaped the mould with the wooden strickle board", "weighed out copper and tin, four parts to one", "dried the mould over a charcoal fire", "tuned the bell with a long file"],
        },
        "ledger_arrival": [
            "Samuel Okafor had given him the ledger in Wyndham Cross, and Teodor, whose English was slow, had read it all the way across Europe, a page or two each night, with a dictionary.",
        ],
        "companion": {
            "name": "Mila Brandt", "first": "Mila", "pron": "she",
            "role": "the goatherd's daughter",
            "desc": "a girl of fourteen who knew every path on the mountain and could read snow as other people read newspapers",
            "lines": [
                ['"The snow is angry up there," said Mila, pointing at the ridge. "It has been angry since they cut the trees."', '"Snow is not angry," said Teodor. "It is only heavy."', '"Heavy and angry," said Mila Brandt, "are the same thing on a mountain."'],
            ],
        },
        "antagonist": {
            "name": "Mayor Anton Fescue", "short": "Fescue", "pron": "he",
            "role": "mayor of Haldenmoor",
            "motive": "had sold the old forest above the Grey Tongue to a timber merchant and would not let anyone talk of avalanches",
            "lines": [
                ['"You are here to make a bell, Master Marek," said the mayor. "Not to frighten my village with stories."', '"A bell is for frightening people, Mayor," said Teodor. "That is half of what it is for."'],
            ],
        },
        "object": {"intro": "All that winter one thing filled Teodor's days and most of his nights.", "name": "the new bell of Saint Oda", "short": "the new bell",
                   "desc": "It was a bell of eleven hundredweight, tuned to D, with a band of oak leaves around its shoulder and the words VIVOS VOCO cast into its waist."},
        "event": {
            "name": "the avalanche at Haldenmoor",
            "date": "on the night of the eleventh of February, 1886",
            "omens": [
                "Mila Brandt showed Teodor the cracks running across the snow below the stumps of the felled forest.",
                "For three days the wind blew warm from the south, and the snow on the roofs slid off in wet grey sheets.",
            ],
            "onset": [
                "On the night of the eleventh of February Mila heard the slope above the Grey Tongue begin to crack with a sound like distant gunfire.",
                "She ran down through the dark to the church, where Teodor was sitting up beside the cooling bell.",
            ],
            "peak": [
                "The new bell still hung from its timber frame beside the casting pit, not yet raised into the tower.",
                "The village was asleep, and there were ninety-three souls in the houses below the Grey Tongue.",
            ],
            "turn": [
                "Teodor and Mila swung the bell by hand in its frame, and the new bell of Saint Oda rang out across the valley for the first time, weeks before it had been blessed.",
                "The villagers came out into the snow in their nightclothes and ran for the church, which stood on rock.",
            ],
            "resolution": [
                "Four minutes later the avalanche came down the Grey Tongue and buried nine houses to their roofs, but every soul in Haldenmoor was in the church.",
                "The bishop blessed the bell in the spring, and the villagers voted out Anton Fescue and replanted the forest above the Grey Tongue.",
            ],
            "cost": ["Teodor's shoulder was torn swinging the bell, and he never cast another."],
        },
        "key_entry": "12 February 1886. The bell rang before its time. 93 in the church. Nine houses under the snow, the inn among them. No one lost, not even the goats, which Mila brought in as well. The bell is sound. My shoulder is not.",
        "outcome": [
            "The replanted forest took forty years to grow tall enough to hold the snow, and for all those years the village kept a watchman on the ridge each winter and the new bell ready in the tower.",
        ],
        "handoff": [
            "Teodor wintered that year in the lowlands, at Ashcombe, and before he went home to Moravia he gave the ledger to his landlady's niece, Beatrice Holloway, who was clerk to a solicitor in the town.",
        ],
        "facts": [
            {"fact": "Bell-founder Teodor Marek casts a new bell for the church of Saint Oda at Haldenmoor.", "keywords": ["Teodor", "Haldenmoor"]},
            {"fact": "Mayor Anton Fescue sold the forest that protected the village.", "keywords": ["Fescue"]},
            {"fact": "Goatherd Mila Brandt warns of the coming avalanche.", "keywords": ["Mila"]},
            {"fact": "Ringing the unblessed bell gets everyone into the church before the avalanche hits.", "keywords": ["avalanche"]},
        ],
    },
    {
        "title": "The Orchard Trial",
        "year": 1889,
        "season": "summer",
        "months": ["June", "July"],
        "place": "Ashcombe",
        "place_desc": [
            "Ashcombe was apple country, a small town of red brick and slate in a valley of orchards, where in October the whole air smelled of fruit and the wasps were drunk on windfalls.",
            "It was also an assize town, and twice a year the judges came in their carriages with trumpeters in front of them, and the town filled with lawyers, witnesses and pickpockets.",
        ],
        "landmarks": ["the burned cider barn at Thorne Manor", "the assize court with its stone lions", "the Ashcombe market hall", "the old orchard road"],
        "sounds": ["the church clock striking the quarters", "carts of apples rumbling to the press", "rooks in the elms behind the court"],
        "smells": ["crushed apples", "sealing wax", "bonfire smoke from the orchards"],
        "protagonist": {
            "name": "Beatrice Holloway", "first": "Beatrice", "pron": "she", "age": 27,
            "occupation": "clerk to an elderly solicitor in Ashcombe",
            "traits": ["exact", "determined", "quietly funny"],
            "backstory": [
                "She had learned the law by copying it, many thousands of pages of it, for a solicitor whose eyes had failed him, and she knew more of it than most of the men who were allowed to practise it.",
                "Her aunt kept a lodging house on Chapel Street and had never understood why a sensible girl should want to read about murders.",
            ],
            "tasks": ["copied deeds in a round clear hand", "searched the parish registers", "took statements from witnesses", "sealed the day's letters with red wax", "read the assize lists", "walked out to the farms with papers to be signed"],
        },
        "ledger_arrival": [
            "Teodor Marek, who had lodged with her aunt all winter, gave her the ledger the morning he left for Moravia, saying that she was the only person in Ashcombe who had asked him a question and listened to the whole answer.",
        ],
        "companion": {
            "name": "Caleb Frome", "first": "Caleb", "pron": "he",
            "role": "a farmhand from the Thorne orchards who brought fruit to her aunt's lodging house",
            "away_during_event": True,  # he is in gaol from the fire until the verdict
            "desc": "a silent young man of twenty with enormous hands, who had worked the Thorne orchards since he was nine",
            "lines": [
                ['"The Squire has not paid us since Lady Day, miss," said Caleb, setting down the basket. "I told him so to his face."', '"That was brave of you," said Beatrice. "I wonder whether it was wise."', '"I never was wise, miss," said Caleb Frome. "Only hungry."'],
            ],
        },
        "antagonist": {
            "name": "Squire Gideon Thorne", "short": "Squire Thorne", "pron": "he",
            "role": "owner of Thorne Manor and its orchards",
            "motive": "had burned his own cider barn for the insurance and needed someone to hang for it",
            "lines": [
                ['"A solicitor\'s clerk," said Squire Thorne, looking at her as if she were something on his boot. "Whatever next. Do go home, young woman."', '"I am home, sir," said Beatrice. "I was born in Ashcombe. I expect to be here a long time after this trial."'],
            ],
        },
        "object": {"intro": "It would all turn, in the end, on one small and ordinary object.", "name": "a pocket watch stopped at twenty to four", "short": "the stopped watch",
                   "desc": "It was a cheap pocket watch with a cracked glass and Caleb's initials scratched on the case, found in the ashes of the barn with its hands at twenty to four."},
        "event": {
            "name": "the trial of Caleb Frome",
            "kind": "contest",
            "date": "at the autumn assize of October, 1889",
            "omens": [
                "The cider barn at Thorne Manor burned to the ground in the early hours of the ninth of September, and Caleb Frome was arrested the next morning because he had quarrelled with the Squire about his wages.",
                "Caleb's pocket watch was found in the ashes, stopped at twenty to four, and the constable said that settled it.",
            ],
            "onset": [
                "The Squire's insurance company paid a barrister from London to prosecute, and the town decided Caleb was guilty before the judges had even arrived.",
                "Beatrice went to the gaol, took Caleb's statement in full, and learned that he had lost the watch a week before the fire.",
            ],
            "peak": [
                "At the assize the prosecution held up the watch and told the jury that it had stopped at the very minute the fire was set.",
                "Caleb Frome stood in the dock in his one good coat and looked as if he had already been hanged.",
            ],
            "turn": [
                "Beatrice had persuaded the old watchmaker of Ashcombe to open the stopped watch in court, and he showed the jury that its mainspring was fully run down, so that it had stopped of its own accord days before the fire and not in the heat of it.",
                "Then the Squire's own stable boy, whom Beatrice had found and questioned, told the court that the steward had picked the watch up in the stable yard a week before the barn burned.",
            ],
            "resolution": [
                "The jury acquitted Caleb Frome without leaving the box, and the insurers refused to pay Squire Thorne a penny.",
                "Within the year the Squire had sold Thorne Manor and gone abroad, and the steward was never seen in Ashcombe again.",
            ],
            "cost": ["Beatrice lost her place with the solicitor, who said a clerk should not make a spectacle of herself in court, though he wrote her a letter of character that she kept all her life."],
        },
        "omen_entry_date": "10 September 1889",
        "key_entry": "17 October 1889. Verdict: not guilty, jury did not retire. Caleb walked out of the dock and did not know what to do with his hands. The watch had not been wound since the 2nd. I was right, and I find I am very tired.",
        "outcome": [
            "Caleb Frome went to work at Bellamy's orchards, married the stable boy's sister, and named his first daughter Beatrice, which she said was a heavy thing to do to a child.",
        ],
        "handoff": [
            "At the Ashcombe fair the next summer she met a balloonist named Oliver Brightwater, who took her up a thousand feet on a rope and brought her down again, and she gave him the ledger because he was the only person she had met who was less careful than she was.",
        ],
        "facts": [
            {"fact": "Solicitor's clerk Beatrice Holloway works in Ashcombe.", "keywords": ["Beatrice", "Ashcombe"]},
            {"fact": "Farmhand Caleb Frome is tried for burning the cider barn.", "keywords": ["Caleb"]},
            {"fact": "Squire Gideon Thorne burned his own barn for the insurance.", "keywords": ["Thorne"]},
            {"fact": "A run-down pocket watch shows the evidence was planted, and Caleb is acquitted.", "keywords": ["watch"]},
        ],
    },
    {
        "title": "The Balloonist",
        "year": 1892,
        "season": "summer",
        "months": ["May", "June"],
        "place": "Carrow Downs",
        "place_desc": [
            "Carrow Downs was a long green ridge of chalk above the sea, bare except for sheep, skylarks and the enormous white horse that someone had cut into the turf so long ago that nobody knew why.",
            "Every July the county fair was held on the showground at the top of the Downs, and for one week the ridge held more people than the county town.",
        ],
        "landmarks": ["the showground on Carrow Downs", "the gasworks at Carrow whose gas filled the balloon", "the white horse cut into the chalk", "the cliffs at Scarland Point"],
        "sounds": ["the skylarks over the Downs", "the steam organ at the fair", "the wind in the balloon's rigging"],
        "smells": ["coal gas", "crushed grass", "varnish"],
        "protagonist": {
            "name": "Oliver Brightwater", "first": "Oliver", "pron": "he", "age": 30,
            "occupation": "aeronaut",
            "traits": ["reckless", "cheerful", "vain"],
            "backstory": [
                "He had been a draper's assistant until he saw his first balloon ascent at the age of twelve, and had spent every penny since on silk, varnish and gas.",
                "He had made sixty-one ascents, had come down in a duck pond, a churchyard and a brewery, and had never yet lost a passenger.",
            ],
            "tasks": ["checked the seams of the envelope", "stitched patches into the silk with waxed thread", "read the barometer every hour", "filled sandbags for ballast", "varnished the silk", "wrote up the heights of each flight"],
        },
        "ledger_arrival": [
            "Beatrice Holloway had given it to him at Ashcombe fair, telling him to write in it before every ascent in case it was his last, and he had taken the advice more seriously than he let her see.",
        ],
        "companion": {
            "name": "Dora Finch", "first": "Dora", "pron": "she",
            "role": "an engineer at the Carrow gasworks",
            "desc": "a square-handed woman who understood gas pressure better than any man in the county and said so",
            "lines": [
                ['"Your valve is a disgrace," said Dora, holding it up. "Who made this? A blacksmith?"', '"A blacksmith in Reading," said Oliver. "He was very reasonable."', '"He was very cheap," said Dora Finch. "Give it to me."'],
            ],
        },
        "antagonist": {
            "name": "Maximilian Rook", "short": "Rook", "pron": "he",
            "role": "the showman who owned the fair",
            "motive": "demanded an ascent in a rising gale because he had sold four thousand tickets for it",
            "lines": [
                ['"Four thousand tickets, Brightwater," said Rook. "Four thousand people who want to see a man go up. You will go up."', '"I will go up when the wind lets me," said Oliver, "and not when your ticket office does."'],
            ],
        },
        "object": {"name": "an aneroid barometer in a brass case", "short": "the barometer",
                   "desc": "It was an aneroid barometer in a brass case no bigger than a saucer, which doubled as his altimeter, and he trusted it more than any person he knew."},
        "event": {
            "name": "the flight of the balloon Perseverance",
            "date": "on the afternoon of the sixteenth of July, 1892",
            "omens": [
                "All morning the barometer fell, and the flags on the showground stood out stiff toward the sea.",
                "Dora Finch warned that in such a wind the balloon could be over the cliffs at Scarland Point in a quarter of an hour.",
            ],
            "onset": [
                "Maximilian Rook threatened to keep Oliver's fee and sell the balloon for its silk unless he went up at three o'clock as the posters promised.",
                "At three o'clock the balloon Perseverance rose from Carrow Downs with Oliver and Dora Finch in the basket, because Dora would not let him go alone with a valve she had mended herself.",
            ],
            "peak": [
                "The wind caught the balloon at a thousand feet and carried it south-east over the cliffs at Scarland Point and out to sea.",
                "Within an hour the land was a grey line behind them, and the barometer showed that they were losing height.",
            ],
            "turn": [
                "Oliver threw out the last sandbag, then the grapnel, then his coat, while Dora Finch worked the valve to keep them just above the waves.",
                "They sighted the smoke of a steam trawler, the Good Intent, and brought the Perseverance down in the water beside her.",
            ],
            "resolution": [
                "The trawler's crew pulled them out of the sea and towed the balloon into harbour as a trophy.",
                "Maximilian Rook was fined by the magistrates for endangering life, and the crowds who had watched the ascent turned against him.",
            ],
            "cost": ["The balloon's silk was ruined by salt water, and Oliver never flew from Carrow again."],
        },
        "key_entry": "17 July 1892. Written on board the trawler Good Intent. Rose 3.02 p.m., max. height 3,400 ft by barometer, down in the sea about 6.10 p.m., 31 miles off Scarland Point. D.F. saved us with the valve. I saved us with my coat. She disputes this.",
        "outcome": [
            "Oliver and Dora went into business together the next year making gas valves, and Dora's valve was still in use by aeronauts twenty years later.",
        ],
        "handoff": [
            "Oliver gave the ledger to Eliza Trevenna, a mine-owner's widow from Caddon Hollow who had written to him after reading about the flight, asking how a man kept his nerve when the ground was gone.",
        ],
        "facts": [
            {"fact": "Oliver Brightwater is a balloonist at the fair on Carrow Downs.", "keywords": ["Oliver", "Carrow"]},
            {"fact": "Showman Maximilian Rook forces an ascent in a gale.", "keywords": ["Rook"]},
            {"fact": "The balloon Perseverance is blown out to sea.", "keywords": ["balloon"]},
            {"fact": "Engineer Dora Finch works the valve and they are rescued by a trawler.", "keywords": ["Dora"]},
        ],
    },
    {
        "title": "The Mine at Caddon Hollow",
        "year": 1895,
        "season": "spring",
        "months": ["February", "March"],
        "place": "Caddon Hollow",
        "place_desc": [
            "Caddon Hollow was a tin mine in a fold of the moor, an engine house, a count house, a row of cottages and a great deal of red water, and below all of it a maze of levels running a hundred fathoms down into the granite.",
            "The mine had been worked for ninety years, and nobody alive knew all of it; the oldest workings had been abandoned and filled before the present miners' grandfathers were born.",
        ],
        "landmarks": ["the engine house with its tall stack", "the count house", "the dressing floors", "the old Wheal Dorcas shaft, filled in sixty years before"],
        "sounds": ["the beat of the pumping engine", "the stamps pounding the ore", "water dripping in the levels"],
        "smells": ["wet granite", "tallow candles", "coal smoke from the engine"],
        "protagonist": {
            "name": "Eliza Trevenna", "first": "Eliza", "pron": "she", "age": 45,
            "occupation": "owner and manager of the Caddon Hollow mine",
            "traits": ["plain-spoken", "shrewd", "unafraid"],
            "backstory": [
                "Her husband, Jory Trevenna, had died of his cough in the winter, and she had surprised the shareholders by taking the keys of the count house instead of selling out.",
                "She had been a bal maiden on the dressing floors at twelve, breaking ore with a hammer, and she still knew good tin by the weight of it in her hand.",
            ],
            "tasks": ["read the figures from the pumping engine", "went down the ladder-way with the mine captain", "paid the miners at the count house", "checked the timbers in the levels", "inspected the ore on the dressing floors", "studied the old plans of the workings by lamplight"],
        },
        "ledger_arrival": [
            "Oliver Brightwater had sent it to her in answer to her letter, writing that he did not know how a man kept his nerve, but that the people in the ledger had all kept theirs, and she might find out how by reading it.",
        ],
        "companion": {
            "name": "Amos Kettering", "first": "Amos", "pron": "he",
            "role": "the mine's engineer",
            "desc": "a thin, careful man from the north who had built the pumping engine and talked to it when he thought no one could hear",
            "lines": [
                ['"Sixty fathom level is talking, Mrs. Trevenna," said Amos. "The timbers. You can hear them if you stand still."', '"What are they saying?" said Eliza.', '"That somebody has been taking out what holds them up," said Amos Kettering.'],
            ],
        },
        "antagonist": {
            "name": "Percival Gaunt", "short": "Gaunt", "pron": "he",
            "role": "the chief shareholder of the Caddon Hollow company",
            "motive": "had ordered the pillars of ore in the sixty-fathom level cut away to raise one season's profits before he sold his shares",
            "lines": [
                ['"The pillars are full of tin, Mrs. Trevenna," said Gaunt. "Tin that is doing nothing but holding up rock."', '"Holding up rock is a great deal, Mr. Gaunt," said Eliza, "when there are men under it."'],
            ],
        },
        "object": {"name": "a miner's safety lamp", "short": "the safety lamp",
                   "desc": "It was her husband's safety lamp, a brass and gauze lamp whose flame burned blue and tall when there was bad air about, and she carried it down the mine every day."},
        "event": {
            "name": "the collapse at Caddon Hollow",
            "date": "on the morning of the fourth of April, 1895",
            "omens": [
                "The timbers in the sixty-fathom level began to creak and split, and dust came down from the roof when the stamps were working.",
                "Eliza found in the count house books that Gaunt's captain had taken out four of the six great pillars of ore in a single month.",
            ],
            "onset": [
                "On the morning of the fourth of April the roof of the sixty-fathom level collapsed with a roar that was felt in the cottages at the surface.",
                "Fourteen men were working beyond the fall, and the main shaft below the fifty was choked with rock.",
            ],
            "peak": [
                "Water began to rise in the lower levels, and the engine could not pump it while the shaft was blocked.",
                "The miners' wives stood at the shaft head all day and all night, and nobody could tell them anything.",
            ],
            "turn": [
                "In the old plans Eliza found that the filled Wheal Dorcas shaft ran down to within a few fathoms of the trapped men, and with Amos Kettering she led a team to open it.",
                "She went down the old shaft first with her safety lamp, watching the flame for bad air, and on the third day they broke through to the fourteen men.",
            ],
            "resolution": [
                "All fourteen were brought out alive up the Wheal Dorcas shaft, thin and half blind in the daylight.",
                "The shareholders' meeting in Truro voted Percival Gaunt off the board, and the inspector of mines charged him with neglect.",
            ],
            "cost": ["The sixty-fathom level was never worked again, and the mine ran at a loss for two years while it was made safe."],
        },
        "key_entry": "7 April 1895. Broke through from Wheal Dorcas at 4 this morning. Fourteen men, all alive. Lamp burned clean the last ten fathoms. Amos has not left the shaft in three days. I have now been down more hours than my husband ever was in a week.",
        "outcome": [
            "Eliza Trevenna ran Caddon Hollow for another eighteen years, and no man was killed underground in all that time.",
        ],
        "handoff": [
            "Amos Kettering's cousin, an astronomer named Arthur Lindqvist, came to the mine to borrow a winding engine for an expedition, and Eliza gave him the ledger with it.",
        ],
        "facts": [
            {"fact": "Widow Eliza Trevenna runs the Caddon Hollow tin mine.", "keywords": ["Eliza", "Caddon Hollow"]},
            {"fact": "Shareholder Percival Gaunt has the supporting pillars cut away.", "keywords": ["Gaunt"]},
            {"fact": "A collapse traps fourteen miners.", "keywords": ["collapse"]},
            {"fact": "Eliza and engineer Amos Kettering rescue them through the old Wheal Dorcas shaft.", "keywords": ["Amos"]},
        ],
    },
    {
        "title": "The Eclipse at Sollas",
        "year": 1898,
        "season": "spring",
        "months": ["April", "May"],
        "place": "Sollas",
        "place_desc": [
            "Sollas was an island of peat and rock at the western edge of the charts, eleven miles long and two hundred souls strong, with one harbour, one church and one mountain.",
            "The astronomers had chosen it because, by their calculations, the shadow of the moon would cross it at noon on the twenty-eighth of May with nothing but ocean on either side.",
        ],
        "landmarks": ["the standing stones called the Grey Sisters", "the harbour at Port Aslin", "the peat road across the island", "the summit of Ben Ruach"],
        "sounds": ["the curlews on the moor", "the sea on the western skerries", "the ticking of the chronometers"],
        "smells": ["peat smoke", "the chemicals of the darkroom", "seaweed on the beach"],
        "protagonist": {
            "name": "Arthur Lindqvist", "first": "Arthur", "pron": "he", "age": 58,
            "occupation": "astronomer of the Northfield Observatory",
            "traits": ["absent-minded", "kind", "obsessive"],
            "backstory": [
                "He had seen three total eclipses and photographed none of them, twice because of cloud and once because he had forgotten to take the cap off the lens.",
                "His colleagues were fond of him and did not expect him to succeed, and he knew it.",
            ],
            "tasks": ["polished the mirror of the telescope", "checked the chronometers against the noon sun", "coated the photographic plates", "built up the walls of the observing hut", "calculated the path of the moon's shadow", "tested the clock drive"],
        },
        "ledger_arrival": [
            "Eliza Trevenna had given it to him at Caddon Hollow along with the winding engine, and he had read the whole of it on the steamer north while everyone else was seasick.",
        ],
        "companion": {
            "name": "Nell Ashby", "first": "Nell", "pron": "she",
            "role": "the expedition's photographer",
            "desc": "a young woman who had learned photography in her uncle's studio taking wedding portraits, and who had never once forgotten to take the cap off the lens",
            "lines": [
                ['"Two minutes and ten seconds of totality," said Nell. "I can change six plates in that, if nobody talks to me."', '"I shall not say a word," said Arthur.', '"You will," said Nell Ashby, "so I have practised with you talking."'],
            ],
        },
        "antagonist": {
            "name": "Professor Lucius Varga", "short": "Varga", "pron": "he",
            "role": "a rival astronomer from the Imperial Observatory",
            "motive": "had bribed the island's only boatman to delay Lindqvist's equipment so that he alone would photograph the corona",
            "lines": [
                ['"My dear Lindqvist," said Varga, "the corona is a serious matter. It should be left to serious men."', '"Then I shall watch you photograph the clouds, Varga," said Arthur, "and admire your seriousness."'],
            ],
        },
        "object": {"intro": "Of everything the expedition carried, Arthur would remember one thing above all.", "name": "a glass photographic plate", "short": "the sixth plate",
                   "desc": "It was one of a box of twelve glass plates that Nell had coated herself, and it would be the sixth plate, exposed for four seconds, that the world would remember."},
        "event": {
            "name": "the total eclipse of the sun over Sollas",
            "kind": "contest",
            "date": "at noon on the twenty-eighth of May, 1898",
            "omens": [
                "The telescope and the plates were held at the mainland for eleven days because the boatman of Port Aslin said his boat was unsound, and then found that it was sound after all the moment Varga's equipment was landed.",
                "On the morning of the eclipse a low grey cloud lay over the whole island, and Varga's party at the harbour could not see the sun at all.",
            ],
            "onset": [
                "Arthur looked at the cloud and then at the map, and saw that the summit of Ben Ruach stood above the cloud's ceiling.",
                "With Nell Ashby and six islanders they carried the telescope and the plates up the peat road and the mountain in four hours.",
            ],
            "peak": [
                "They came out above the cloud with twenty minutes to spare and set up the telescope on the summit rocks with shaking hands.",
                "The moon's edge touched the sun, and the light on the mountain turned thin and strange, and the curlews went silent.",
            ],
            "turn": [
                "When totality came the corona blazed out around the black moon, and Nell Ashby changed her plates as steadily as if she were photographing a wedding.",
                "The sixth plate, exposed for four seconds, caught the corona and, at its edge, a small bright comet that no one had ever seen.",
            ],
            "resolution": [
                "The comet on the sixth plate was named for Lindqvist and Ashby, and their photograph of the corona was printed in every scientific journal in Europe.",
                "Professor Varga photographed the underside of a cloud and went home early.",
            ],
            "cost": ["One of the islanders broke his leg on the way down the mountain in the dark, and Arthur paid for his doctor and his lost season's fishing from his own pocket."],
        },
        "key_entry": "28 May 1898. Ben Ruach summit. Totality 2 min 9 s by the chronometer. Twelve plates exposed by N.A.; I looked at the sun with my own eyes for the first time in my life instead of at my instruments. Something on plate six near the western limb. Nell says a flaw. I say not.",
        "outcome": [
            "Arthur Lindqvist was elected to the Royal Society the following year, and in his speech of thanks he spoke only about Nell Ashby and the six men of Sollas who had carried the telescope.",
        ],
        "handoff": [
            "He gave the ledger to a young engineer of the Northern Lights Board named Rowan Castellan, who was on Sollas to survey the harbour light, when she told him she was to be sent to Corran Head.",
        ],
        "facts": [
            {"fact": "Astronomer Arthur Lindqvist goes to the island of Sollas to photograph a total eclipse.", "keywords": ["Arthur", "Sollas"]},
            {"fact": "Rival Professor Lucius Varga has his equipment delayed.", "keywords": ["Varga"]},
            {"fact": "They climb Ben Ruach above the clouds to see the eclipse.", "keywords": ["eclipse"]},
            {"fact": "Photographer Nell Ashby takes the photographs during totality.", "keywords": ["Nell"]},
            {"fact": "Her sixth plate shows the corona and a new comet.", "keywords": ["comet"]},
        ],
    },
    {
        "title": "The Return to Corran Head",
        "year": 1904,
        "season": "winter",
        "months": ["November", "December"],
        "place": "Corran Head",
        "place_desc": [
            "Corran Head had hardly changed in thirty-six years: the same black slate, the same white tower, the same Teeth showing their white water at every tide.",
            "Only the keeper's cottage had a new slate roof, and a telegraph wire now ran on poles across the headland to Mure, humming when the wind was in the west.",
        ],
        "landmarks": ["the old white tower", "the new gas beacon on its steel mast", "the telegraph wire humming on its poles", "the landing where the coble was lost"],
        "sounds": ["the hum of the telegraph wire", "the surf on the Teeth", "the hiss of the gas beacon"],
        "smells": ["acetylene gas", "paraffin and salt", "cold stone"],
        "protagonist": {
            "name": "Rowan Castellan", "first": "Rowan", "pron": "she", "age": 26,
            "occupation": "assistant engineer of the Northern Lights Board",
            "traits": ["modern", "confident", "honest"],
            "backstory": [
                "She was the first woman the Board had ever employed as an engineer, and she had been given the jobs nobody else wanted, which was how she had come to Sollas and now to Corran Head.",
                "She believed in gas, electricity and automatic machinery, and thought that lighthouse keepers were a romantic waste of money.",
            ],
            "tasks": ["tested the pressure in the gas cylinders", "timed the flashes of the new beacon", "sketched the old lens for the Board's records", "climbed the tower to take measurements", "wrote her reports by the cottage fire", "walked the headland to check the telegraph wire"],
        },
        "ledger_arrival": [
            "Arthur Lindqvist had given her the ledger on Sollas, and she had opened it on the boat to the mainland and found on its first page the words Corran Head Light, Oil Accounts, 1868, in Marta Vell's upright hand.",
        ],
        "companion": {
            "name": "Isolde Marchbank", "first": "Isolde", "pron": "she",
            "role": "the last keeper of Corran Head",
            "desc": "a small, white-haired woman of seventy who had been assistant to Marta Vell as a girl and had kept the light alone since 1879",
            "lines": [
                ['"Your gas will not fail, you say," said Isolde. "Everything fails, my dear. The question is who is there when it does."', '"The beacon is automatic, Mrs. Marchbank," said Rowan. "Nobody needs to be there."', '"Write that down in the book," said Isolde Marchbank, "so that someone can read it to you afterwards."'],
            ],
        },
        "antagonist": {
            "name": "Victor Hale", "short": "Hale", "pron": "he",
            "role": "chief engineer of the Northern Lights Board",
            "motive": "wanted the old tower pulled down and its stone sold, and the keeper pensioned off, to pay for his new beacons",
            "lines": [
                ['"Sentiment, Miss Castellan," said Hale. "The old tower is sentiment, and the Board cannot afford sentiment."', '"Then the Board should be careful what it calls sentiment, sir," said Rowan, "in case it turns out to be engineering."'],
            ],
        },
        "object": {"intro": "One thing at Corran Head held Rowan's attention from the first day.", "name": "the great lens of the old light", "short": "the great lens",
                   "desc": "It was the great lens of the old light, a beehive of glass prisms taller than a man, turned by clockwork, which Rowan had been sent to take down and crate for the Board's museum."},
        "event": {
            "name": "the December gale at Corran Head",
            "date": "on the night of the ninth of December, 1904",
            "omens": [
                "Rowan noticed that in hard frost the pressure in the gas lines dropped and the beacon's flashes came slow and weak.",
                "Isolde Marchbank showed her an entry in the ledger, in Marta Vell's hand, about a ship lost on the Teeth in 1859 on the one night the light had failed.",
            ],
            "onset": [
                "On the night of the ninth of December a north-westerly gale came up with hard frost behind it, and at nine o'clock the gas beacon on its steel mast went out.",
                "Through the spray Rowan could see the lights of a steamer, the coaster Ardent, coming down the Sound of Mure with the gale behind her, straight for the Teeth.",
            ],
            "peak": [
                "The telegraph wire was down in the storm, and there was no way to warn the Ardent except by light.",
                "The old lamp had not been lit since the beacon was installed, and its clockwork was stiff with cold.",
            ],
            "turn": [
                "Following Marta Vell's notes in the ledger, Rowan and Isolde Marchbank trimmed the old wicks, warmed the clockwork with hot bricks, and lit the great lens for the last time.",
                "The beam swung out over the Sound, and the Ardent's master saw it, knew where he was, and put his helm hard over a quarter of a mile from the Teeth.",
            ],
            "resolution": [
                "The Ardent reached Mure the next morning with her crew and forty passengers safe, and her master walked out to Corran Head to shake the keepers' hands.",
                "Rowan's report to the Board recommended that the old tower be kept and the light manned, and Victor Hale's plan was quietly set aside.",
            ],
            "cost": ["Rowan burned both her hands on the old lamp, and Isolde Marchbank caught a chill in the lantern room from which she took the rest of the winter to recover."],
        },
        "key_entry": "10 December 1904. Beacon failed 9.04 p.m.; old light lit 9.31 p.m. and burned till dawn. Ardent cleared the Teeth. I followed M.V.'s notes of 1868 on the clockwork exactly, and they were exact. I was wrong about keepers. I shall say so in my report.",
        "outcome": [
            "The Board kept Corran Head manned for another thirty years, and when it was at last made automatic, the engineer who did the work was Rowan Castellan, by then the Board's chief engineer.",
        ],
        "handoff": [
            "Rowan put the ledger back on the shelf in the lantern room where Marta Vell had kept it, beside the brass signal lamp, and wrote on its last page the names of everyone who had held it.",
        ],
        "facts": [
            {"fact": "Engineer Rowan Castellan is sent to Corran Head to replace the old light with a gas beacon.", "keywords": ["Rowan"]},
            {"fact": "Chief engineer Victor Hale wants the old tower demolished.", "keywords": ["Hale"]},
            {"fact": "In a December gale the gas beacon fails as the steamer Ardent nears the Teeth.", "keywords": ["Ardent"]},
            {"fact": "Rowan and keeper Isolde Marchbank relight the old lens using Marta Vell's notes, and the ledger returns to the lighthouse.", "keywords": ["Isolde"]},
        ],
    },
]

NUMBER_WORDS = ["One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten", "Eleven", "Twelve"]

# --------------------------------------------------------------------------
# Generic material: filler pools, sentence templates and vignettes.
# Templates use {key} for chapter facts and [a|b|c] for a random alternative.
# --------------------------------------------------------------------------

WEATHER = {
    "autumn": [
        "the wind had begun to carry the first real cold of the year",
        "the leaves came down in brown drifts wherever there were trees to drop them",
        "a wet mist lay in the hollows until noon",
        "the days were shortening by minutes that could be felt",
        "the rain came in from the west in long grey curtains",
        "there were mornings of hard bright sun that promised nothing for the afternoon",
    ],
    "winter": [
        "the frost lay white on every surface until noon",
        "snow fell in small dry flakes that did not settle",
        "a hard wind came down from the north and stayed",
        "the days were short and the nights long and bitter",
        "the water butt had to be broken open with a hammer every morning",
        "the sky was the colour of pewter for weeks on end",
    ],
    "spring": [
        "the light came back a little earlier each morning",
        "showers blew through quickly with the sun hard behind them",
        "the ground was soft and the lanes were deep in mud",
        "the first green showed along the ditches",
        "the wind had lost its teeth but not its strength",
        "the evenings lengthened until lamps were hardly needed before eight",
    ],
    "summer": [
        "the heat lay heavy over everything by midday",
        "the evenings were long and gold and full of insects",
        "there had been no rain for three weeks",
        "thunder grumbled in the distance most afternoons without ever arriving",
        "the dust rose behind every cart",
        "the nights were short and never quite dark",
    ],
}

TIMES = ["at first light", "in the grey hour before breakfast", "at noon", "in the long middle of the afternoon",
         "at dusk", "after dark", "late in the evening"]

LEDGER_WEATHER = {
    "autumn": ["Wind west, fresh.", "Rain all day.", "Fog until noon.", "Squalls from the north-west.", "Fair, light airs.", "Glass falling."],
    "winter": ["Hard frost.", "Snow showers.", "Bright and bitter cold.", "Wind north, strong.", "Overcast, no wind.", "Glass steady."],
    "spring": ["Showers and sun.", "Mild; the glass steady.", "Wind south-west, moderate.", "Rain in the night.", "Fair and still.", "Overcast, close."],
    "summer": ["Hot, no wind.", "Fair all day.", "Thunder in the evening.", "Close and grey.", "Wind light, westerly.", "Warm rain at dusk."],
}

LEDGER_NOTES = [
    "{C} called in the afternoon.", "Nothing further to report.", "Slept badly.", "Heard {sound} all night.",
    "Talk in {place} of {A} again.", "Read the old entries until late.", "A letter from home; all well.",
    "Burned the bread.", "Saw {A} at a distance; did not speak.", "Thought much about what {C} said yesterday.",
    "Cold. Could not get warm all day.", "Walked out to {landmark} at dusk.", "Mended my coat.",
    "Tired, but the work is done.", "A good day, on the whole.", "{C} brought news; none of it good.",
]

SETTING = [
    "Strangers [thought|said|supposed] that {place} was [bleak|dull|a hard place to love], and the people who lived there [let them think so|did not bother to argue|were content to keep the secret].",
    "In {month} the weather over {place} [changed by the hour|could not make up its mind|was never the same two mornings running], and {weather}.",
    "Beyond {landmark} the land [fell away|ran on|dropped] toward the horizon in [long|grey|broken] [folds|lines|steps].",
    "At any hour you could hear {sound}, and under it, if you listened, {sound}.",
    "The smell of {smell} hung over everything, [in the clothes, in the bedding, even in the bread|so familiar that nobody who lived there noticed it any longer|and people who left said afterwards that it was the thing they missed].",
    "There had been people at {place} for longer than anyone had written down, and {landmark} was older than any of the families who now lived near it.",
    "Nobody agreed on how {place} had come by its name, [though every old man in the district had a theory|and the schoolbooks said nothing useful|and the most popular story was also the least likely].",
    "On clear days {landmark} stood out so sharply that it seemed [close enough to touch|cut out of paper|painted on the sky].",
    "It was {season} [now|by then|that year], and {weather}.",
    "People in {place} measured their lives by {landmark} the way people elsewhere measured theirs by the church clock.",
    "[Visitors|Travellers|Newcomers] always noticed {sound} first, and {smell} second, and only after a week or so the silence underneath them both.",
    "The roads into {place} were [poor|few|long], and the post came [twice a week when it came at all|on a cart that was never on time|by a boy on a pony who was usually late], so that news arrived [old|late|slightly spoiled, like fruit].",
    "{Time}, when the light was [low|thin|slanting], {landmark} threw a long shadow, and the whole of {place} seemed to [hold its breath|turn inward|grow quiet].",
    "Everything at {place} was [made|built|done] to last, [because nothing could easily be replaced|because the weather tested everything|because the people there did not like to waste]; there was little that was pretty and almost nothing that was useless.",
    "The people of {place} were [slow to trust and slow to forget|kind in deed and sharp in speech|proud of things nobody else would have noticed], and they [watched|judged|welcomed] newcomers [for years|with great care|one at a time].",
    "{Weather}, and [nobody in {place} remarked on it|everyone in {place} remarked on it as if it had never happened before|the old people said it was a sign of a hard year].",
    "In the evenings the light over {place} turned [gold|copper|the colour of weak tea] and then grey, and the first lamps came on one by one.",
    "Seen from {landmark}, {place} looked [smaller|older|tidier] than it really was.",
    "Everything that happened in {place} happened within sight of {landmark}, and most of it was talked over within earshot of {sound}.",
    "{place} had no [theatre|library|bank] and no wish for one; it had {landmark}, and {smell}, and a great many opinions.",
    "When the wind changed, the smell of {smell} came in at every window, and the people of {place} said the weather was turning.",
    "Children in {place} learned the names of the [winds|paths|families] before they learned their letters.",
]

PORTRAIT = [
    "People who met {P} for the first time [usually|mostly|always] remembered {his} [hands|eyes|voice] before anything else, [steady and watchful|quick and sure|careful and unhurried] as they were.",
    "{He} was {trait} by nature and {trait} by habit, [which suited|and both served {him} well in|and neither was much admired in] {his} trade.",
    "{He} had few possessions, [a good coat, a razor and two books|a chest of clothes and a Bible {he} seldom opened|a pair of boots, a pocket knife and a tin box of letters], and did not want more.",
    "If {P} had a fault, [it was|said those who knew {him}, it was] that {he} [could not leave a thing half done|trusted figures more than people|said what {he} thought a moment before {he} had finished thinking it].",
    "{He} slept little, ate [plainly|standing up|whatever was put in front of {him}], and was [up before the light|at work before anyone else|the last to put out {his} lamp] on most days of the year.",
    "Of {his} family only [a cousin|a married sister|an old aunt] remained, [far away|in a town {he} had not visited in years|and they wrote to each other twice a year].",
    "[Some|Many|A few] in {place} thought {P} [odd|proud|too clever by half], and {he} knew it and did not much mind.",
    "{He} was not [handsome|tall|a great talker], but there was something in {his} [face|manner|way of listening] that made people tell {him} things they had not meant to tell anyone.",
    "{P} liked [order|quiet|early mornings] and [plain food|long walks|good tools], and disliked [waste|idle talk|being hurried] more than {he} disliked almost anything.",
    "{He} had a way of [standing very still|tilting {his} head|pausing before {he} answered] that some people found unnerving and others restful.",
    "{P} was not [sociable|easy to know|a joiner of societies], but {he} was loyal to the few people {he} liked, and they knew it.",
    "{His} clothes were [old but well mended|plain and always clean|chosen for use rather than looks], and {he} could not have said what colour {his} coat was without looking.",
    "{He} [laughed rarely but completely|seldom raised {his} voice|kept {his} temper well, and lost it badly], and people remembered the occasions for years.",
]

LEDGER_LORE = [
    "The ledger was [a heavy|a tall|a thick] book bound in [brown|oxblood|dark green] leather, its corners [rubbed pale|worn round|mended with glue] by other hands.",
    "The paper was [thick and cream-coloured|ruled in faint blue|spotted with brown at the edges], and the ink of the oldest entries had faded to the colour of weak tea.",
    "{He} [decided|resolved|promised {himself}] to write in it [every evening|each night before sleep|whenever anything worth the ink happened], and mostly kept that promise.",
    "There was [a pressed flower|a lock of hair|a railway ticket|a dried sprig of heather] between two of the pages, and {P} [left it where it was|never learned who had put it there|moved it carefully to a safer page].",
    "The book had a way of [falling open|opening itself] at [the same page|certain pages], as books do that have been read more than they have been written in.",
    "It was not a valuable book; nobody would have paid a shilling for it at a sale, and {P} would not have parted with it for a hundred.",
    "Some entries were only a line long and some ran for pages, and the long ones were not always about the most important days.",
    "Here and there a page had been torn out, cleanly, with a knife, and {P} wondered what had been on it and decided {he} would rather not know.",
    "The spine had been mended at least twice, once with thread and once with what looked like sailcloth.",
]

LEDGER_LORE_FIRST = [
    "It was a plain book, ruled for accounts, with a brown leather cover and a brass clasp that did not quite close.",
    "The first pages held nothing but figures: gallons of oil, pounds of wick, the cost of a new pane for the lantern.",
    "Later the figures grew fewer and the words more, until whole pages went by without a number on them at all.",
]

LEDGER_LORE_LATER = [
    "Its first pages were columns of oil accounts in Marta Vell's upright hand, and after them came the writing of {prev_list}.",
    "{P} read the earlier entries [slowly|over several evenings|on one long winter night], and found that each keeper of the book had written in a different ink and a different temper, but that all of them had written the truth.",
    "Reading them, {P} felt [as if {he} had been let into a room where people were talking|like a late guest at a long dinner|that {he} had acquired a family {he} had never met].",
    "Each hand was different, but all of them had kept to the same plain habit: the date first, then the weather, then whatever the day had held.",
    "Between the entries of one holder and the next there was usually a blank half page, as if each had left a little room for the next to clear their throat.",
]

ROUTINE = [
    "Each morning {P} {task}, and then {task}.",
    "[Most days|On ordinary days|When the weather allowed] {he} {task} {time}.",
    "The work was [dull|endless|exacting] in the way that [all necessary|honest|careful] work is dull, and {P} [liked it for that|did not mind it|found a kind of peace in it].",
    "By noon {he} had usually finished the first round of work and sat down to bread and [cheese|dripping|cold meat] and a mug of tea.",
    "On [Sundays|the first day of each month|wet afternoons] {he} {task}, [which nobody else would do|because it could be put off no longer|and took more care over it than usual].",
    "{Sound} marked the hours better than any clock.",
    "[Sometimes|Now and then|Once or twice a week] {P} would stop in the middle of the work and look out toward {landmark}, [for no reason {he} could have given|as if to make sure it was still there|and stand for a minute with {his} hands in {his} pockets].",
    "In the evenings {he} wrote up the day in the ledger: the weather, the work, and [whatever else had happened|anything that had surprised {him}|a line or two that was nobody's business but {his} own].",
    "A [good|long|hard] day's work ended with {P} [too tired to read|sitting by the stove|walking once round {landmark}], and the next began [much the same|before {he} felt rested|in the dark].",
    "There was always more to do than there was daylight to do it in, and {P} [had long ago stopped minding|had learned to choose|kept a list, and crossed things off it with great satisfaction].",
    "{Time} {he} {task}; {time} {he} {task}; and in between {he} did the hundred small things that nobody ever notices until they are left undone.",
    "{P} was good at {his} work, and knew it, and [took no particular pride in it|took a quiet pride in it|would have been ashamed to do it badly].",
    "If anyone had asked {P} whether {he} was happy, {he} would have [laughed|frowned|thought about it for a long time], but nobody asked.",
    "The weeks went by, each one much like the last, and {weather}.",
    "[On one such day|One ordinary afternoon|Late one evening] {P} {task} and found {himself} [humming|talking aloud|smiling] without knowing why.",
    "There were days when nothing went right: the work took twice as long as it should, the weather turned, and {P} went to bed cross with everyone, including {himself}.",
    "{P} had a way of doing things that was entirely {his} own, and {he} did not like to see it changed, even by {C}, even for the better.",
    "{He} kept a list of small repairs pinned to the wall, and it was never shorter at the end of a week than at the beginning.",
    "Some mornings {he} woke before the light and lay listening to {sound}, putting the day in order in {his} head before {he} got up.",
    "[Twice|Three times] that month {he} {task} in the rain, and came in soaked to the skin and perfectly content.",
    "Visitors were rare, and {P} did not encourage them, but {he} kept a second cup and a clean towel for the ones who came.",
    "The day's work had a shape, like a song: first {he} {task}, then {he} {task}, then came the long middle, and then the evening coming down.",
    "Nobody thanked {P} for the work, and {he} did not expect them to; it was the kind of work that was only noticed when it stopped.",
    "It was {month}, and {weather}; {P} {task} and thought about nothing at all, which was a great relief.",
    "{P} kept the ledger on a shelf by the door, where {he} could reach it without taking off {his} boots.",
    "There were {smell} and {sound} and the same faces every day, and {P} would not have traded any of it.",
    "Every so often {P} would look up from {his} work and be surprised, for a moment, to find {himself} exactly where {he} was.",
    "Dinner was at one and supper at seven, and between them {he} {task} and did whatever else the day demanded.",
]

COMPANION = [
    "{C} came by [most days|every few days|whenever there was an excuse], and the two of them fell into the habit of [talking|sharing a pot of tea|arguing comfortably] [about nothing in particular|about the weather and the news|until the light went].",
    "It was {C} who first [showed {P} the best road to {landmark}|told {P} the history of {place}|pointed out to {P} who mattered in {place} and who only thought they did].",
    "{P} could not have said when {C} became a friend; it happened [the way the tide comes in|slowly, and then all at once|without either of them noticing].",
    "{C} had opinions about [everything|most things|the weather, the price of coal and the government], and [shared them freely|did not always keep them to {c_himself}|was seldom wrong about the ones that mattered].",
    "There was nobody in {place} {P} trusted more than {C}, and nobody {he} argued with so often.",
    "{C} did not ask about the ledger for a long time, and when {c_he} finally did, {P} [let {c_him} read a page of it|read {c_him} a page aloud|showed {c_him} the oldest entry], which {he} had never done for anyone.",
    "{C} knew everyone in {place} and [most of their secrets|what they owed|who their grandparents had been], and was careful with all of it.",
    "When {P} was low, {C} [noticed before anyone else did|made tea without asking|told long, pointless stories until {P} laughed].",
    "{C} thought the ledger a [strange|fine|dangerous] thing, and said so, but would not have dreamed of touching it without asking.",
    "Of all the people in {place}, {C} was the only one who ever [argued with {P} and won|told {P} plainly when {he} was wrong|made {P} laugh out loud].",
    "{C} had lived through hard times of {c_his} own and did not talk about them, which {P} respected.",
]

COMPANION_TALK = [
    ['"You write in that book as if someone were going to read it," {C} said [one evening|once|one wet afternoon].', '"Someone will," said {P}. "Someone always does."'],
    ['"What will you do if {A} has his way?" {C} asked.', '{P} thought about it for a while. "The same as now, until someone stops me," {he} said.'],
    ['"You look [tired|half dead|like a ghost], {P}," said {C}.', '"I am tired," said {P}. "That is not the same as finished."'],
    ['"Tell me about the people who wrote in it before you," said {C}, [turning the pages|touching the cover].', '"They were stubborn, all of them, as far as I can tell," said {P}. "I think that is why the book came to them."'],
    ['"Do you ever think of leaving {place}?" {C} asked.', '"Every [winter|spring|morning]," said {P}, "and every evening I find I have stayed."'],
    ['"There is talk in {place}," {C} said [quietly|carefully|at last], "about {A}."', '"There is always talk," said {P}. But {he} wrote it down in the ledger that night all the same.'],
    ['"You should eat more," said {C}. "You cannot work on tea and worry."', '"I have been doing it for years," said {P}.', '"I know," said {C}. "It shows."'],
    ['"Do you believe in luck?" {C} asked, looking at the ledger.', '"No," said {P}. "I believe in paying attention. It looks like luck from a distance."'],
    ['"If anything happens," {C} said, "anything at all, you send for me. Do you hear?"', '"Nothing is going to happen," said {P}.', '"Then it will cost you nothing to promise," said {C}, and {P} promised.'],
    ['"What is the oldest thing in that book?" {C} asked.', '"A price for lamp oil," said {P}. "One and nine a gallon. It is the most honest sentence in it."'],
    ['"Do you think {A} reads the newspapers?" {C} asked.', '"I think {A} pays people to read them for him," said {P}.'],
    ['"You never talk about yourself," said {C}.', '"There is nothing to tell," said {P}.', '"There is always something to tell," said {C}. "You just have not decided to tell it yet."'],
    ['"Will you write about me in there?" {C} asked, nodding at the ledger.', '"I already have," said {P}.', '"Good things?"', '"True things," said {P}, and {C} had to be content with that.'],
]

ANTAGONIST = [
    "{A} was [polite|charming|courteous] in public and [cold|hard|something else entirely] in private, and {P} [had seen both|learned the difference quickly|trusted neither].",
    "Everyone in {place} knew what {A} was, and [nobody said it aloud|most of them owed him money|the few who had spoken against him had come to regret it].",
    "{A} [came to see|called on|sent for] {P} [in {month}|one afternoon|early in the season], [with a smile|with two men behind him|and stayed exactly ten minutes].",
    "{P} had met men like {A} before, and knew that they were most dangerous when they were [most reasonable|smiling|being generous].",
    "When {A} had gone, {P} sat for a long time without moving, and then opened the ledger and wrote down every word he had said, [as exactly as {he} could remember it|with the date and the hour|and underlined two of them].",
    "{A} never raised his voice; he had never needed to.",
    "Some said {A} had been generous once, before money had got into him like damp into a wall.",
    "{A} kept a careful account of favours given and owed, and there was hardly a family in {place} that was not somewhere in it.",
    "{A} liked to be thanked, and arranged matters so that he often was.",
    "It was said in {place} that nobody had ever won an argument with {A}, only outlasted him, and that few had managed even that.",
    "{P} noticed that {A} never looked at anyone while he was speaking to them, only just past them, as if there were someone more important behind.",
]

ANTAGONIST_TALK = [
    ['"You are a sensible person, {P}," {A} said. "Sensible people [know when to keep quiet|do not make trouble|understand how things are done here]."', '"Then you have been misinformed about me," said {P}.'],
    ['"I could make things a great deal easier for you," {A} said.', '"You could," {P} agreed, and said nothing more, and after a while {A} left.'],
    ['"That book of yours," {A} said, looking at the ledger. "I hope you are careful what you put in it."', '"The weather," said {P}. "And what people do in it."'],
    ['"I have friends, {P}," said {A}. "A great many friends."', '"I am glad to hear it," said {P}. "You will need them."'],
    ['"Let us not quarrel," said {A}, smiling. "We want the same thing, you and I."', '"I do not think we do," said {P}, "and I think you know it."'],
    ['"I am a reasonable man," said {A}.', '"So I have been told," said {P}, "mostly by you."'],
    ['"Nobody in {place} will thank you for this," {A} said.', '"I have not asked them to," said {P}.'],
    ['"You know what happens to people who interfere, {P}?" said {A}.', '"They are remembered," said {P}. "Sometimes for a long time."'],
]

OMEN = [
    "{His} thoughts went round and round {A} and what he wanted, and came back each time to the same place: that there was nothing to be done yet except watch, and write, and wait.",
    "Afterwards {P} would [say|remember] that the signs had been there for weeks, if anyone had cared to read them.",
    "{He} wrote it in the ledger, underlined it, and lay awake that night listening to {sound}.",
    "[Something was wrong|Something was coming], and {P} [knew it the way|felt it the way] [a sailor knows a change in the wind|one knows a step on the stair of an empty house].",
    "{P} spoke to {C} about it, and {C} [did not laugh|listened without interrupting|went very quiet], which worried {P} more than laughter would have done.",
    "When {P} tried to warn others, they [shrugged|smiled|changed the subject], and one of them said that {A} would not like to hear such talk.",
    "{Weather}, but the weather was not what worried {P}.",
    "{C} had noticed it too, and said so, and after that neither of them could pretend they had not.",
    "In the ledger that week the entries grew longer and the handwriting smaller, as if {P} were trying to fit too much into too little room.",
    "{P} told {himself} that {he} was imagining things, and did not believe it.",
    "People in {place} went about their business as usual, and that, more than anything, frightened {P}.",
    "{P} began to sleep in {his} clothes, with {his} boots beside the bed, and said nothing to anyone about why.",
    "It was the kind of warning that is only obvious afterwards, and {P} was one of very few who saw it at the time.",
]

ONSET = [
    "[Afterwards nobody could agree on the exact hour it had begun|It had all begun so quietly that nobody could say afterwards when].",
        "Nobody in {place} who lived through {event} ever forgot [that hour|the first minutes|how fast it came].",
    "Later {P} would find that {he} could remember every detail of those first minutes, [down to the pattern of the cracks in the ceiling|down to the smell of {smell}|down to a button missing from {his} coat].",
    "{P} would remember afterwards the odd ordinariness of it: a kettle on the stove, a coat on a hook, and then everything changed.",
    "Word went through {place} faster than anyone could have carried it.",
    "Afterwards {P} found that {he} had written the hour in the ledger before doing anything else, out of pure habit.",
    "There was a moment of stillness first, as if {place} itself were waiting to see what would happen.",
    "{C} was there almost at once, [half dressed|out of breath|white in the face], and did not need to be told what was happening.",
]

PEAK = [
    "For a time it seemed as if nothing could be done.",
    "{P} could hear {his} own heart, and made {himself} [think|stop|look] [slowly|clearly|one thing at a time].",
        "{P} thought, absurdly, of the ledger, and of the entry {he} would have to write that night, and the thought steadied {him}.",
    "It was the longest [hour|night|day] of {P}'s life, and {he} was never afterwards able to say how much of it had been spent waiting and how much acting.",
    "{P} had a moment, brief and very clear, in which {he} understood that {he} might fail, and then the moment passed and there was only the next thing to do.",
    "Somewhere in the middle of it {P} noticed, with a strange calm, that {his} hands were perfectly steady.",
    "There was no help coming from outside; whatever was done would have to be done by the people already there.",
    "Every minute seemed to stretch, and afterwards nobody could say how long any of it had taken.",
]

TURN = [
    "It was {obj_short} that made the difference, [in the end|as {P} wrote afterwards|though nobody would have guessed it].",
    "{C} was at {P}'s side [the whole time|through all of it|when it mattered], and neither of them wasted a word.",
    "Later, when people asked {P} how {he} had thought of it, {he} said only that [someone had to|there had not been time to think|it was the obvious thing].",
    "{P} did not feel brave; {he} felt, {he} wrote later, like someone following a map that {he} had drawn {himself} without knowing it.",
    "What {P} did next was talked about in {place} for fifty years, usually with improvements.",
    "Nobody gave an order; {P} simply began, and others followed.",
    "Afterwards {C} said that {P} had looked, at that moment, exactly like someone who knew what {he} was doing, and {P} laughed and said that was the best disguise there was.",
    "It was not cleverness, {P} wrote later, so much as having paid attention for a long time to something nobody else was watching.",
]

# The event's onset and peak draw on one of these pairs, depending on whether the
# chapter's event is a disaster or a contest of wits.
DISASTER_ONSET = [
    "{P} had time only to [pull on {his} boots|shout for {C}|find {his} coat] before everything was moving at once.",
    "There was no time to be afraid; fear came later, in the quiet, and stayed for weeks.",
]

DISASTER_PEAK = [
    "All around, people were [shouting|running|standing frozen], and nobody seemed to be in charge of anything.",
    "{Sound} was lost under the noise of it, and {P} realised {he} had been shouting without hearing {himself}.",
]

CONTEST_ONSET = [
    "{P} had known it would come to this, and now that it had, {he} felt [oddly calm|almost relieved|very clear in {his} head].",
    "[From that moment|After that] things moved quickly, and {P} had no time to doubt {himself}.",
]

CONTEST_PEAK = [
    "{P} slept very little in those days and wrote a great deal, and the ledger filled faster than it had in years.",
    "{A} had more friends, more money and more time; {P} had the truth and the ledger, and hoped that would be enough.",
]

RESOLUTION = [
    "When it was over [the sun came up as if nothing had happened|the quiet was enormous|people stood about in the grey light, looking at one another and not yet able to believe it].",
    "{P} sat down on the nearest step and [found {he} was shaking|could not get up again for a long time|laughed, to {his} own surprise].",
    "{C} came and sat beside {P}, and for a while neither of them said anything at all.",
    "Somebody made tea, because somebody always does, and {P} drank it without tasting it.",
    "It was a long time before anyone thought to ask who had done what, and by then the story had already begun to change in the telling.",
    "The first thing {P} did, when {he} could do anything, was to count: heads, hands, names. The numbers came out right, and only then did {he} let {himself} sit down.",
    "Somebody began to laugh, and then somebody else, not because anything was funny but because it was over.",
]

AFTERMATH = [
    "For weeks afterwards {place} talked of nothing else.",
    "People [stopped {P} in the street|came to the door with gifts|wrote letters] [to thank {him}|to ask how {he} had done it|to hear the story again], and {he} bore it [as patiently as {he} could|badly|with a good grace].",
    "Newspapers [as far away as the capital|in three counties] printed accounts of {event}, [most of them wrong in the particulars|one of them with a drawing of {P} that looked nothing like {him}].",
    "The ledger entries for that week run to [eleven|nine|fourteen] pages, far longer than any others in {P}'s hand.",
    "{P} found that {he} did not want to talk about it, and that everyone else wanted to talk about nothing else.",
    "For a long time afterwards {P} could not hear {sound} without remembering {event}.",
    "{P} received [a letter from a bishop|a silver medal from a society {he} had never heard of|a vote of thanks from a committee], and put it away in a drawer without showing anyone.",
    "Strangers came to {place} to see where it had happened, and stood about looking at {landmark} as if it might explain something.",
    "{C} said it would all be forgotten in a year, and was wrong, and said so cheerfully, many times.",
]

RECKONING = [
    "As for {A}, [he did not come out of it well|the story did him no good at all|his friends discovered they had urgent business elsewhere].",
    "{P} saw {A} only once more, [across a street|at a distance|in a crowd], and neither of them spoke.",
    "{P} did not feel the satisfaction {he} had expected; {he} felt only tired, and a little sorry for {A}, which surprised {him}.",
    "{A} wrote {P} a letter, [long and angry|short and cold|surprisingly polite], and {P} read it once and put it in the back of the ledger without answering.",
    "There were people in {place} who said {A} had been hard done by, and {P} let them say it.",
]

REFLECTION = [
    "Years afterwards {P} [would say|wrote] that what {he} did during {event} was the one thing in {his} life {he} was sure {he} had done right.",
    "At night, by the lamp, {P} read back over what {he} had written, and [wondered|was surprised] at how [calm|small|plain] it looked on paper.",
    "{He} thought sometimes of the others who had written in the ledger, of {prev}, [and wondered what they would have done|and felt less alone than {he} had expected].",
    "{Weather}, and {place} went back to its ordinary life, and so, slowly, did {P}.",
    "{He} had not known {he} could do such a thing, and {he} was not sure {he} could do it again, and {he} hoped very much that {he} would never have to find out.",
    "The ledger entry for that night is the only one in {P}'s hand with a word crossed out, and nobody has ever been able to read the word.",
    "{P} went back to the ordinary work with something like relief, and found that it had not changed at all, though {he} had.",
    "{P} was not changed by it, or so {he} told anyone who asked; but {he} was never again quite so patient with people who said that nothing could be done.",
    "When {P} was old, children asked {him} to tell the story, and {he} told it plainly, leaving out the parts that would have made {him} sound brave.",
]

REFLECTION_FIRST = [
    "{He} did not know yet that the ledger would outlast {him}, or that other hands would one day turn its pages looking for exactly this night.",
]

HANDOFF_LAST = [
    "The ledger had come a long way round, through eleven pairs of hands, and it seemed to {P} that it had earned its rest.",
    "{He} read it through once more from the first oil accounts to {his} own last entry, and found that {he} could not tell where the others' stories ended and {his} began.",
]

HANDOFF = [
    "The ledger had stayed with {P} longer than {he} had expected, and {he} had filled [forty|sixty|thirty] pages of it.",
    "{He} did not want to keep it for ever; it was not that kind of book, and it seemed to {P} that it had come from a stranger and ought to go to one.",
    "Passing it on felt, {P} wrote in {his} last entry, like opening a window in a room that had been shut too long.",
    "{P} read the whole ledger through one last time before {he} let it go, from the first oil accounts to {his} own last page.",
    "{He} wrapped it in [oilcloth|brown paper|a clean shirt] and tied it with string, as carefully as if it were going on a long voyage, which in a sense it was.",
    "It was harder to give up than {P} had expected, and easier to part with than {he} had feared.",
    "{C} asked whether {he} would miss it, and {P} said no, and then, a little later, yes.",
]

HISTORY = [
    "In the old days, people said, {place} had been [richer|busier|more important] than it was now, and there were [old foundations in the fields|coins turned up by the plough|names in the parish registers] to prove it.",
    "The oldest stories about {place} concerned {landmark}, which [was said to be haunted|had once been the scene of a famous quarrel|had been used as a hiding place in some forgotten war].",
    "There had been a great storm at {place} in the time of {P}'s grandparents, and the old people still dated things from it, saying before the storm or after it, as other people spoke of before and after the flood.",
    "Every family in {place} had a story about {landmark}, and no two stories agreed, and {P} came to think that this was the point of them.",
    "A hundred years before, a [surveyor|bishop|traveller] had passed through {place} and written in his journal that it was [the end of the world|a place of no consequence|remarkable only for its weather]; the people of {place} had never forgiven him, and quoted the passage to strangers with a kind of pride.",
    "There was a song about {place} that everyone knew and nobody could sing all the way through, because the last verse had been lost, and every generation had invented a new one.",
    "The oldest grave near {place} belonged to a [woman|man] who had died in 16[42|58|71] at the age of ninety-one, and {P} sometimes stopped to read the worn stone and wonder what that long life had been like.",
    "Long before the present {place} there had been something else on the same spot, and the [ploughs|spades|children] still turned up pieces of it: a bead, a coin, a fragment of red pottery that nobody could date.",
    "Men from {place} had gone to every war of the last hundred years, and their names were [cut on a stone|written in a book|painted on a board] in the [church|chapel|meeting hall], and {P} had read them all more than once.",
    "{place} had been bought and sold three times in a hundred years by people who never saw it, and each time the people who lived there had carried on exactly as before.",
]

MEMORY = [
    "{P} remembered very little of {his} childhood except [a yellow kitchen|a red door|a garden with a pear tree] and the sound of [rain on a tin roof|{his} mother singing|a clock on the stairs].",
    "As a child {P} had been [afraid of the dark|afraid of dogs|afraid of deep water], and sometimes, even now, {he} felt the old fear stir at the back of {his} mind like an animal turning in its sleep.",
    "{His} father had once told {him} that a job worth doing was worth doing slowly, and {P} had spent {his} life proving him half right.",
    "The first money {P} ever earned was [a penny for carrying a parcel|sixpence for a day of stone-picking|a shilling for minding a shop], and {he} had kept the coin for years before spending it on something {he} could no longer remember.",
    "{P}'s mother had been a great reader, and had left {him} [a shelf of books|a love of print|the habit of reading at meals], which was the most useful inheritance {he} could have wished for.",
    "There had been a time, long ago, when {P} had meant to be [a sailor|a missionary|a soldier|an actor], and {he} could still remember the exact afternoon {he} had given the idea up.",
    "{P} had been ill for a whole winter as a child and had spent it at a window watching the weather, and {he} thought sometimes that everything {he} knew about patience {he} had learned that winter.",
    "When {P} was [nine|ten|eleven], a schoolmaster had told {him} that {he} would never amount to anything, and {P} had been quietly proving him wrong ever since, long after the schoolmaster was dead.",
    "{He} remembered the first time {he} had seen the sea, or thought {he} did, though it might have been a story {he} had been told so often that it had turned into a memory.",
    "{His} grandmother had kept a diary every day of her adult life, forty-one small books of it, and it was perhaps from her that {P} had learned that writing a thing down was a way of keeping it safe.",
    "{P} had once, when young, walked forty miles in a day for a reason {he} no longer remembered, and {he} was prouder of that than of most things {he} had done since.",
]

NIGHT = [
    "At night, when the work was done, {P} would sit with the ledger open and not write anything for a long time, listening to {sound} and letting the day settle.",
    "{He} thought about the people who would one day read what {he} wrote, and tried to imagine them, and found that {he} could not, and wrote for them anyway.",
    "There were nights when {P} could not sleep, and on those nights {he} [walked|read|sat by the window] until the sky began to pale, and then slept for an hour and got up and worked as if nothing were wrong.",
    "{P} did not pray much, but {he} sometimes found {himself} at the end of a day saying thank you to nobody in particular, which {he} supposed came to much the same thing.",
    "It seemed to {P} on such nights that {place} was the only place in the world, and that everything beyond it was rumour.",
    "{He} wondered sometimes what {he} would be doing if {he} had made different choices, and the answer was always the same: something less interesting, somewhere warmer.",
    "The lamp hissed, {sound} went on outside, and the ledger lay open at a clean page, waiting, as it had waited for everyone.",
    "{P} would write a sentence, cross it out, write it again, and at last leave it as it had been at first, which {he} suspected was true of most of the important things in life.",
    "Sometimes {P} read the earliest entries aloud to {himself}, quietly, just to hear the words of someone who had sat up late with the same book long ago.",
    "On the worst nights {P} made lists: things {he} knew, things {he} suspected, things {he} could do. The lists were never long, but they helped.",
    "{P} often fell asleep at the table with the pen still in {his} hand, and woke with ink on {his} cheek, a stiff neck and the lamp burned out.",
]

LETTERS = [
    ['In {month} a letter came from {prev}. It was short, as letters from busy people are, and it ended: "Write in it honestly, and do not worry about the spelling. Nobody who reads it will care."', '{P} answered it the same night, and found {himself} telling a near stranger things {he} had told nobody in {place}.'],
    ['A letter from {prev} arrived in {month}, three close pages in a small hand, full of news {P} could make little sense of and questions about the ledger that {he} could answer at once.', 'The last line said: "I miss the book more than I expected. Look after it, and let it look after you."'],
    ['{prev} wrote in {month}, a few lines in pencil, as if in haste: "They tell me you have it now. Good. It needs somebody stubborn. Do not let anyone talk you out of what you see with your own eyes."', '{P} read the note several times and then pinned it inside the ledger\'s back cover, where it stayed.'],
    ['In {month} {P} wrote to {prev} to ask about the ledger\'s earlier pages, and the answer came back a month later: "I only know my own part of it. The rest you must work out as I did, by reading slowly."', '{P} thought that was an unhelpful answer, and then, after a while, a very good one.'],
]

WALK = [
    "On [Sunday afternoons|free evenings|the rare idle day] {P} walked out to {landmark} and beyond it, as far as the light allowed.",
    "From the highest point of the walk {P} could see the whole of {place} laid out like a map, with {sound} rising faintly from below.",
    "{He} walked fast at first, as {he} did everything, and then more slowly, as the place worked on {him}.",
    "There were [sheep|crows|gulls] for company, and the wind, and now and then a figure far off who raised a hand and went on their way.",
    "{P} liked to stop at a particular [stone|gate|wall] and sit for a while with {his} back against it, thinking about nothing.",
    "On the way home {P} met {C}, and they walked the last mile together, talking about nothing in particular.",
    "Once {P} passed {A} on the road, and each of them nodded to the other with great politeness and walked on a little faster.",
    "The light changed as {he} walked, from [grey to gold|gold to grey|white to blue], and {P} stopped more than once simply to look at it.",
    "Walking cleared {P}'s head as nothing else did, and {he} came home with {his} thoughts in order and {his} boots full of mud.",
    "{P} knew every stone and puddle of the way to {landmark}, and still found something new on it most weeks: a nest, a new gate, a tree come down in the wind.",
    "Coming back in the dusk, {P} could smell {smell} long before {he} could see the first lights of {place}.",
    "{He} would arrive home [wet through|tired and content|ravenous], light the lamp, and write a few lines in the ledger before {he} did anything else.",
]

VIGNETTES = [
    "One {month} morning a stray dog, brown and white and very thin, followed {P} home from {landmark} and would not be sent away. {He} fed it, against {his} better judgement, and for the rest of that season it slept across the doorway and barked at anyone who came near, including {C}. Then one day it was gone as suddenly as it had come, and {P} was surprised by how much {he} missed it.",
    "A letter came in {month} from a lawyer in a town {P} had never visited, announcing that a distant cousin had died and left {him} a clock. The clock arrived a fortnight later, packed in sawdust, and it did not go. {P} stood it in the corner all the same, and {C} said it was the only thing in {place} that was more reliable than the [post|weather|gossip].",
    "There was a week of fog so thick that {P} could not see {landmark} from the door. Sounds came strangely through it: {sound} seemed to come from every side at once, and once {he} heard voices close at hand and went out to find nobody there. When the fog lifted, {he} found {himself} oddly reluctant to let the ordinary world back in.",
    "A child from {place} came to the door one afternoon and asked {P}, very seriously, whether it was true that {he} could [read Latin|see in the dark|tell the weather a week ahead]. {P} said that it was not true, and the child went away disappointed, and {P} spent the evening wishing {he} had said yes.",
    "{P} fell ill for four days in {month}, nothing serious, a fever and a cough, and {C} came every day with [broth|bread and cold meat|a jug of something hot] and stood over {him} until {he} ate it. On the fifth day {P} was up again and back at work, and neither of them mentioned it afterwards, but {P} wrote it in the ledger.",
    "On a clear night {P} climbed to the highest point {he} could find near {place} and lay on {his} back to look at the stars. {He} knew the names of perhaps a dozen of them and made up names for the rest, and lay there until the cold drove {him} home. It was the kind of thing {he} never told anyone about.",
    "A travelling pedlar came through {place} in {month} with a pack full of ribbons, needles, almanacs and patent medicines. {P} bought [a new pencil|a bottle of good ink|a pair of bootlaces] and an almanac {he} did not need, mostly for the pleasure of talking to someone who had been somewhere else. The pedlar had news from three counties, none of it good and most of it probably invented.",
    "It rained for nine days without stopping. Water came under the door and through a crack in the roof, and {P} spent one whole night moving pans about to catch it. On the tenth morning the sun came out as if nothing had happened, and everything in {place} steamed gently for an hour.",
    "{P} had a small garden, or the beginning of one, and {he} spent some evenings that {season} on {his} knees in it. Nothing much grew, [the soil being poor|the wind being what it was|the slugs being numerous and determined], but {he} liked the work, which asked nothing of {his} mind, and {he} liked the smell of the earth after the {smell} of the day.",
    "There was a wedding in {place} that {season}, and {P} was invited, rather to {his} surprise. {He} wore {his} best coat, ate too much, danced once, badly, with {C}, and walked home afterwards under a sky full of stars, feeling for once that {he} belonged somewhere.",
    "An old man who had lived in {place} all his life told {P} one evening about the winter of his boyhood, when [the snow came up to the eaves|the wells froze solid|the river flooded to the church door]. He told it slowly, with great care over the details, and {P} wrote down as much of it as {he} could remember in the ledger that night, because it seemed to {him} that someone ought to.",
    "{P} lost {his} [knife|spectacles|good gloves] in {month} and searched for them for a week. {He} found them at last in the pocket of the coat {he} was wearing, where they had been all along, and laughed at {himself} so loudly that {C}, passing outside, put {c_his} head round the door to ask what was the matter.",
    "One evening a stranger asked for shelter, a young [sailor|labourer|schoolmaster] on his way somewhere else, and {P} gave him supper and a blanket by the fire. He talked for hours about the places he meant to see. In the morning he was gone before {P} woke, and he had left a shilling on the table and a note that said only: thank you, I will remember.",
    "The ledger itself got wet one night when {P} left the window open, and {he} spent a whole anxious evening drying its pages one by one in front of the fire. Some of the old ink ran a little, and {P} copied the worst of the damaged entries onto a loose sheet and tucked it inside the back cover, so that nothing would be lost.",
    "{P} made a habit that {season} of walking once round {landmark} before sleeping. It took a quarter of an hour. On clear nights {he} counted stars, on wet nights {he} counted {his} steps, and on nights when {he} could not stop thinking {he} counted the things {he} had to be thankful for, which usually took longer than {he} expected.",
    "A cart overturned near {landmark} in {month}, and {P} helped the carter [right it|gather up his load|calm the horse] in the rain. The carter, a [big|red-faced|gloomy] man, thanked {him} by saying that the weather would get worse before it got better, and then drove off, and was proved right.",
    "For a few weeks {P} tried to teach {himself} [French|the fiddle|to draw] from a book, working at it for an hour each evening. {He} made slow progress and then none, and put the book away on a high shelf, where it stayed. But {he} never regretted the hours, and {he} wrote in the ledger that it had been good to be bad at something for a change.",
    "There was a quarrel in {place} between two families over [a boundary wall|a strayed cow|an unpaid debt], and for a month it was all anyone talked about. Both sides came to {P} to be agreed with. {He} agreed with neither, which made {him} briefly unpopular with everyone, and then the quarrel ended as quarrels do, and everybody forgot that they had ever been angry with {him}.",
    "{C} brought {P} a present in {month}: [a jar of honey|a knitted scarf|a pair of thick socks], wrapped in brown paper and handed over with a shrug, as if it were nothing. {P} did not know what to say, so {he} said nothing and made tea, and {C} seemed to find that the right answer.",
    "In the middle of {season} the moon was full for three nights running over {landmark}, and the light was so strong that {P} could read the ledger by it without a candle. {He} sat at the window for an hour each of those nights, reading the old entries again and wondering where each of their writers was now.",
    "A bird got into the house one morning, a [wren|sparrow|blackbird], and beat about the room in a panic. It took {P} a quarter of an hour and a good deal of patience to catch it in {his} hands and carry it outside. For the rest of the day {he} could still feel its heart beating against {his} fingers.",
    "The market in {place} was held on [Tuesdays|Saturdays|the first Monday of the month], and {P} went when {he} could, less to buy anything than to hear the news. That {season} the news was mostly about prices, and about {A}, whom nobody liked and everybody seemed to need.",
    "One afternoon {P} climbed up on the roof to mend a loose slate and stayed there an hour after the job was done, looking out over {place}. From up there everything looked smaller and more orderly than it did from the ground, and {he} found {himself} wondering whether that was how {A} saw it all the time.",
    "A photographer came to {place} in {month} with a camera on three legs and a cart full of glass plates, and for a shilling he would take anyone's likeness. {C} persuaded {P} to sit for one. The result showed a stiff, anxious stranger in {P}'s coat, and {P} put it face down in a drawer and never looked at it again, though {he} did not throw it away.",
    "There was an evening in {season} when everything seemed to go right: the work was done early, the weather held, {C} called with good news, and the supper did not burn. {P} wrote in the ledger that night that {he} was happy, and then looked at the word for a long while, as if it belonged to somebody else.",
    "{P} had a cat, or rather a cat had {P}: a [grey|black|ginger] animal of great age and dignity who had come with the house and had opinions about everything. It slept on the ledger whenever the ledger was left open, and {P} suspected that some of the blots in the later pages were its fault.",
    "One morning {P} found footprints in the [frost|mud|dust] outside the window, leading up to it and then away again. {He} never learned whose they were. For a week {he} slept badly and locked the door, which {he} had never done before, and then {he} stopped worrying about it, and the footprints never came back.",
    "{P} was asked to read the lesson in church one Sunday when the usual reader was ill, and did so in a voice that shook for the first verse and steadied after that. Afterwards several people told {him} it had been very well read, and one old woman told {him} it had been much too fast, which {P} thought was probably the truer of the two.",
    "There was a fire in a chimney in {place} one night in {month}, not a serious one, and {P} was among those who ran with buckets. It was out in half an hour. But {he} lay awake afterwards thinking how quickly an ordinary night could turn into something else, and how little warning anyone ever got.",
    "{P} spent a whole day in {month} putting {his} papers in order: letters answered, accounts balanced, old bills burned. By evening the table was clear for the first time in months, and {he} sat looking at it with a mixture of satisfaction and alarm, as if {he} had tidied away some part of {himself} by mistake.",
    "In a junk shop {P} found a carved wooden angel with faded blue robes and one wing missing, and bought it for fourpence without knowing why. {He} set it on the windowsill, where it looked out at {landmark} with an expression of mild disapproval, and {C} said it was the best likeness of {P} that anyone had ever made.",
    "{P} woke one night certain that someone had called {his} name. {He} lit the lamp and went to the door, and there was nothing outside but {sound} and the dark. {He} sat up until morning anyway, writing in the ledger, and in daylight it seemed a foolish thing to have done, but {he} did not cross it out.",
    "That {season} {P} took to walking on Sunday afternoons, exploring the country around {place} further than {he} had before. {He} found a ruined [chapel|mill|farmhouse] that nobody had mentioned, a spring of very cold water, and a view that {he} thought the best in the county, and {he} told no one about any of them.",
    "A letter arrived for {P} that had been addressed to the wrong town, then to the wrong street, and had taken five months to find {him}. It was from an old friend and held nothing but ordinary news, long out of date. {P} read it three times all the same and kept it in the back of the ledger.",
    "{C} and {P} argued one evening about [whether the world was getting better or worse|which was the best season of the year|whether it was ever right to tell a lie], and the argument went on so long that the lamp burned dry. Neither of them gave an inch, and both of them enjoyed it more than anything else that month.",
    "{P} mended {his} own boots that {season}, badly, with a last borrowed from {C}, and wore them for the rest of the year with a kind of stubborn pride, although they let in water at the left toe.",
    "Someone left a basket of [eggs|apples|potatoes] on {P}'s doorstep one morning, with no note. {He} never discovered who had sent it. For weeks afterwards {he} looked at everyone in {place} a little differently, wondering which of them had thought of {him}.",
    "A [horse|cow|goat] got loose in {place} in {month} and ran through three gardens before anyone caught it, and {P} was one of the seven people who tried. It was caught in the end by a small girl with an apple, who had stood still while everyone else ran about, and {P} wrote in the ledger that there was probably a lesson in that.",
    "{C} lent {P} a book, [a volume of poems|a history of the county|a novel in three volumes], and {P} read it slowly over the whole of {season}, a few pages each night. {He} did not think much of it at first, and then found {himself} thinking about it in the middle of the day, which {he} supposed was what books were for.",
    "One {month} day the post brought {P} a parcel of seeds from somebody {he} had never met, with a note saying they had been sent at the request of a friend. {He} never found out which friend. {He} planted them anyway, and some of them came up, and {he} never learned what they were called.",
    "There was a dance in {place} in {month}, in a barn hung with lanterns, and {P} stood by the door for most of it, enjoying the music and the light and the noise. Toward midnight {C} dragged {him} into a reel, and {he} went wrong in the third figure and everyone laughed, {P} most of all.",
    "An old woman in {place} who was said to be a hundred years old asked to see {P}, and when {he} came she looked at {him} for a long while and then said that {he} would do. {P} never found out what she meant, and she died that winter without explaining.",
    "A boy from {place} ran away in {month}, to sea or to the city, nobody was sure which, and his mother came to {P} asking whether {he} would write a letter for her to the boy, wherever he was. {P} wrote it, and she signed it with a cross, and {P} posted it to the only address they could think of. Whether it ever arrived, neither of them learned.",
    "For a week in {month} there were strange lights in the sky at night, green and pale, shifting like curtains, and half of {place} stood outside in the cold to watch them. The preacher said they were a warning, the schoolmaster said they were electricity, and {P} wrote in the ledger that they were beautiful and left it at that.",
    "{P} found an injured crow in {month}, its wing hanging, and, feeling foolish, kept it in a box by the stove. It ate everything it was given, bit {P} whenever it could, and after three weeks flew off without a backward look, which {C} said was exactly how a crow ought to behave.",
    "There was a day in {season} when nothing at all happened, and {P} wrote in the ledger only the weather and the words: a quiet day. Reading it back years later, {he} found that {he} could remember that day better than many busier ones, and could not think why.",
    "{P} took a day off in {month}, the first in months, and walked to the next town and back for no reason at all. {He} ate a meat pie at an inn, bought a newspaper {he} did not read, and came home footsore and happier than {he} had been for weeks.",
    "A man came to {place} in {month} selling shares in a railway that was to run through the district, and half the town put money into it. {P} did not. The railway was never built, and for years afterwards the people who had bought shares avoided {P}'s eye, as if {he} had been the one who cheated them.",
    "{C} fell and hurt {c_his} ankle in {month}, and for a fortnight {P} ran {c_his} errands as well as {his} own, walking twice as far and sleeping half as much. {C} complained the whole time about the way {P} did everything, which {P} took, correctly, as a sign of gratitude.",
    "There was a night in {month} when the wind blew so hard that {P} sat up with the lamp lit, expecting the roof to go. It did not go. In the morning the only damage was a broken pane and a chimney pot in the yard, and {P} felt almost cheated.",
    "A young couple came to {P} in {month} asking {him} to witness their marriage lines, because they knew no one else in {place} who wrote a good hand. {P} signed {his} name with great care, and they gave {him} a piece of wedding cake wrapped in a handkerchief, which {he} ate that evening with the ledger open beside {him}.",
    "{P} spent an evening in {month} trying to mend an old clock that nobody had been able to mend. {He} took it entirely to pieces, laid the parts out on a cloth, and put it back together with two small wheels left over. It went perfectly for a week and then stopped for ever.",
    "Bad weather kept the post away for three weeks in {month}, and when it came at last there were eleven letters for {P} all at once. {He} arranged them by date and read them in order, so that the news unfolded slowly, as it had been meant to.",
    "A painter came to {place} in {month} to paint {landmark}, and set up his easel in the same spot every morning for a fortnight. {P} looked at the picture once, when it was nearly done, and did not recognise the place at all; but {C} said it was very like, and bought a small sketch for a shilling.",
    "A child in {place} was lost for an afternoon in {month}, and half the town went out looking. {P} found her asleep in a [barn|shed|haystack] not a quarter of a mile from her own door, with a kitten in her arms, and carried her home, and was given a cup of tea and a good deal more credit than {he} deserved.",
    "{P} had a toothache for most of {month}, and at last went to have the tooth drawn. The man who drew it charged a shilling and talked throughout about the government. {P} walked home with a hole in {his} jaw and a great deal of information {he} had not asked for.",
    "The children of {place} came to {P} in {month} with a list of questions about {his} work that their teacher had set them. {P} answered every one as honestly as {he} could, and one small boy wrote down every word and then asked whether {he} had ever been frightened. {P} said yes, often, and the boy wrote that down too.",
    "{P} was asked to judge the [vegetable|flower|baking] competition at a show in {month}, an honour {he} accepted before {he} understood it. {He} gave first prize to the wrong person, as everybody agreed afterwards, and was not asked again, which {he} considered the best possible outcome.",
    "A storm of hail in {month} lasted ten minutes and left the ground white. The children ran out and threw hailstones at one another, and {P}, after watching for a while, joined in, and was hit in the ear by {C}, who denied it.",
    "{P} was caught in a downpour in {month} a long way from shelter and, having nothing better to do, stood under a [hedge|tree|wall] and watched it. The rain came in grey sheets across {place}, then thinned, then stopped, and a rainbow stood over {landmark} for a full minute. {P} walked home soaked and could not afterwards have said why it had made {him} so happy.",
    "A neighbour's [cow|sow|goat] had a difficult birth one night in {month}, and {P}, being the nearest person awake, was called to help. {He} knew nothing about it and said so, and did exactly as {he} was told, and at dawn there was a wet, wobbling new creature in the straw. {P} washed {his} arms in the trough and felt more useful than {he} had in weeks.",
    "{P} tried, in {month}, to keep a proper account of {his} own money in the back pages of the ledger. It lasted a fortnight. After that the back pages filled with other things: a recipe for soup, the words of a song, a list of birds seen, and a drawing of {C} that {C} was never allowed to see.",
    "Two of the older boys in {place} were caught stealing [apples|coal|eggs] in {month}, and their fathers asked {P} to speak to them, for reasons {P} never understood. {He} spoke to them for ten minutes about nothing much, and they listened with great politeness and did it again the next week, and {P} decided that {he} was not cut out to be a moral influence.",
    "{P} received a small legacy in {month}, eleven pounds from an aunt {he} had hardly known. {He} spent one pound on a good coat and put the rest away, and for the rest of {his} life {he} thought of that coat as the aunt, and was kind to it.",
    "There was an evening in {month} when {C} and {P} sat up late telling each other ghost stories, each more ridiculous than the last, until {C} told one that was not ridiculous at all. Neither of them spoke for a while afterwards. Then {C} went home, walking rather fast, and {P} kept the lamp lit until morning.",
    "A family of travelling players came to {place} in {month} and put on a play in a barn, with a painted cloth for scenery and a great deal of shouting. {P} did not follow the story at all, but {he} laughed in the right places, and afterwards the leading lady, who was about sixty, shook {his} hand and said {he} had been the best audience of the season.",
    "{P} dropped the ledger in {month}, on the stones outside the door, and a corner of the cover split. {He} mended it that evening with glue and a strip of leather cut from an old boot, and the mend held, and was still there, a little darker than the rest, long after {P} had given the book away.",
    "One night in {month} {P} dreamed that {he} was reading the ledger and came to a page in {his} own hand describing things that had not yet happened. {He} woke before {he} could read the end. For days afterwards {he} was half afraid to open the book, and then {he} laughed at {himself} and wrote the dream down, which seemed the best way to be rid of it.",
    "The doctor came to {place} only once a month, and in {month} {P} went with {C} to meet him on the road and carry his bag. The doctor talked all the way about his bees. {P} learned more about bees that afternoon than {he} had ever wanted to know, and found, to {his} surprise, that {he} remembered all of it.",
    "A man who said he had been a ship's [cook|carpenter|boy] came through {place} in {month} telling stories of the far side of the world. Most of them were plainly lies, and {P} enjoyed them enormously, gave the man a shilling and a pair of old socks, and wrote the best of the stories in the ledger, marked clearly as lies.",
    "{P} spent a whole wet Sunday in {month} writing a long letter to someone {he} had quarrelled with years before. {He} read it over at dusk, decided it said too much, and burned it. The next morning {he} wrote a shorter one, which said only that {he} was sorry, and posted it before {he} could change {his} mind.",
    "In {month} {P} noticed a grey hair for the first time, then several. {He} stood looking at them in the small square of mirror for a long time. Then {he} went out and {task}, because the work did not care what colour {his} hair was, and that was a comfort.",
]

POOLS: dict[str, list] = {name: globals()[name] for name in (
    "SETTING",
    "HISTORY",
    "PORTRAIT",
    "MEMORY",
    "LEDGER_LORE",
    "LEDGER_LORE_FIRST",
    "LEDGER_LORE_LATER",
    "ROUTINE",
    "COMPANION",
    "COMPANION_TALK",
    "ANTAGONIST",
    "ANTAGONIST_TALK",
    "NIGHT",
    "LETTERS",
    "OMEN",
    "ONSET",
    "PEAK",
    "TURN",
    "DISASTER_ONSET",
    "DISASTER_PEAK",
    "CONTEST_ONSET",
    "CONTEST_PEAK",
    "RESOLUTION",
    "AFTERMATH",
    "RECKONING",
    "REFLECTION",
    "REFLECTION_FIRST",
    "HANDOFF",
    "HANDOFF_LAST",
    "VIGNETTES",
    "WALK",
)}


# --------------------------------------------------------------------------
# Composition
# --------------------------------------------------------------------------

ALTERNATIVE = re.compile(r"\[([^\[\]]*)\]")
FIELD = re.compile(r"\{(\w+)\}")
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]


class Bag:
    """Draws items in a shuffled cycle, so each is used once before any repeats."""

    def __init__(self, items: list, rng: random.Random) -> None:
        self.items, self.rng, self.pending, self.last = list(items), rng, [], None

    def draw(self) -> object:
        if not self.pending:
            self.pending = self.items[:]
            self.rng.shuffle(self.pending)
            if len(self.pending) > 1 and self.pending[-1] == self.last:
                self.pending[0], self.pending[-1] = self.pending[-1], self.pending[0]
        self.last = self.pending.pop()
        return self.last


@dataclass
class Block:
    kind: str  # "p" paragraph, "entry" ledger entry, "break" scene break
    text: str = ""


@dataclass
class Chapter:
    number: int
    title: str
    subtitle: str
    blocks: list[Block] = field(default_factory=list)


class Writer:
    """Expands templates for one chapter and collects its blocks."""

    def __init__(self, index: int, ch: dict, rng: random.Random, template_bags: dict[str, Bag]) -> None:
        self.ch, self.rng, self.template_bags = ch, rng, template_bags
        p, c, a, ev = ch["protagonist"], ch["companion"], ch["antagonist"], ch["event"]
        self.values: dict[str, str] = {
            "P": p["first"], "PN": p["name"], "age": str(p["age"]), "occupation": p["occupation"],
            "C": c["first"], "CN": c["name"], "c_role": c["role"], "c_desc": c["desc"],
            "A": a["short"], "AN": a["name"], "a_role": a["role"], "a_motive": a["motive"],
            "obj": ch["object"]["name"], "obj_short": ch["object"]["short"],
            "event": ev["name"], "place": ch["place"], "season": ch["season"], "year": str(ch["year"]),
        }
        self.values.update(PRONOUNS[p["pron"]])
        self.values.update({f"c_{k}": v for k, v in PRONOUNS[c["pron"]].items()})
        earlier = [c["protagonist"]["name"] for c in CHAPTERS[:index]]
        if earlier:
            self.values["prev"] = earlier[-1]
        if len(earlier) > 1:
            self.values["prev_list"] = _join_names(earlier[1:])
        self.bags = {
            "landmark": Bag(ch["landmarks"], rng), "sound": Bag(ch["sounds"], rng), "smell": Bag(ch["smells"], rng),
            "task": Bag(p["tasks"], rng), "trait": Bag(p["traits"], rng), "month": Bag(ch["months"], rng),
            "weather": Bag(WEATHER[ch["season"]], rng), "time": Bag(TIMES, rng),
        }
        self.entry_dates = self._entry_dates(8)
        self.used: set[str] = set()
        self.companion_away = False
        self.blocks: list[Block] = []

    # -- templates ------------------------------------------------------------

    def lookup(self, key: str) -> str:
        if key in self.values:
            return self.values[key]
        if key in self.bags:
            return self.bags[key].draw()
        lower = key[0].lower() + key[1:]
        if lower != key:
            return _cap(self.lookup(lower))
        raise KeyError(key)

    def can_fill(self, template: str) -> bool:
        if self.companion_away and ("{C}" in template or "{c_" in template):
            return False
        for key in FIELD.findall(template):
            lower = key[0].lower() + key[1:]
            if not any(k in self.values or k in self.bags for k in (key, lower)):
                return False
        return True

    def expand(self, template: str) -> str:
        while True:
            chosen = ALTERNATIVE.sub(lambda m: self.rng.choice(m.group(1).split("|")), template)
            if chosen == template:
                break
            template = chosen
        return _cap(FIELD.sub(lambda m: self.lookup(m.group(1)), template))

    def _draw(self, pool: str, fits: Callable[[object], bool]) -> object | None:
        bag = self.template_bags.setdefault(pool, Bag(POOLS[pool], self.rng))
        for _ in range(len(bag.items) * 2):
            item = bag.draw()
            key = repr(item)
            if key not in self.used and fits(item):
                self.used.add(key)
                return item
        return None

    def gen(self, pool: str, n: int) -> list[str]:
        """n sentences from a template pool, none repeated within the chapter."""
        picked = [self._draw(pool, self.can_fill) for _ in range(n)]
        return [self.expand(t) for t in picked if t is not None]

    def talk(self, pool: str) -> None:
        lines = self._draw(pool, lambda item: all(self.can_fill(line) for line in item))
        if lines is not None:
            self.dialogue(lines)

    # -- blocks ---------------------------------------------------------------

    def para(self, *parts: list[str] | str) -> None:
        sentences: list[str] = []
        for part in parts:
            sentences.extend([part] if isinstance(part, str) else part)
        self.blocks.append(Block("p", " ".join(s for s in sentences if s)))

    def dialogue(self, lines: list[str]) -> None:
        for line in lines:
            self.blocks.append(Block("p", self.expand(line)))

    def scene_break(self) -> None:
        self.blocks.append(Block("break"))

    def entry(self, text: str | None = None, date: str | None = None) -> None:
        if text is None:
            task = re.sub(r"\b(his|her)\b", "my", self.lookup("task"))
            weather = self.rng.choice(LEDGER_WEATHER[self.ch["season"]])
            usable = [t for t in LEDGER_NOTES if self.can_fill(t)]
            notes = [self.expand(t) for t in self.rng.sample(usable, self.rng.randint(1, 2))]
            when = date or self.entry_dates.pop(0)
            text = " ".join([when + ".", weather, _cap(task) + "."] + notes)
        self.blocks.append(Block("entry", text))

    def _entry_dates(self, n: int) -> list[str]:
        day, month_name, _ = self.ch["key_entry"].split(" ", 3)[:3]
        event_month = MONTHS.index(month_name)
        dates = set()
        while len(dates) < n:
            month = MONTHS.index(self.rng.choice(self.ch["months"]))
            last_day = int(day) - 2 if month == event_month else 28
            year = self.ch["year"] - (1 if month > event_month else 0)
            dates.add((year, month, self.rng.randint(1, max(1, last_day))))
        return [f"{d} {MONTHS[m]} {y}" for y, m, d in sorted(dates)]


def compose_chapter(index: int, ch: dict, rng: random.Random, template_bags: dict[str, Bag]) -> Chapter:
    w = Writer(index, ch, rng, template_bags)
    p, c, a, ev, obj = ch["protagonist"], ch["companion"], ch["antagonist"], ch["event"], ch["object"]
    first = index == 0
    kind = "CONTEST" if ev.get("kind") == "contest" else "DISASTER"

    # The place.
    w.para(ch["place_desc"], w.gen("SETTING", 3))
    w.para(w.gen("SETTING", 5))
    w.para(w.gen("HISTORY", 4))
    # The person, and the ledger.
    w.para(w.expand("{PN} was {age} years old that year, and {he} had been {occupation} for [most of|the better part of|a large share of] {his} working life."),
           w.gen("PORTRAIT", 1), p["backstory"][0], w.gen("PORTRAIT", 1))
    w.para(p["backstory"][1:], w.gen("PORTRAIT", 2), w.gen("MEMORY", 1))
    w.para(w.gen("MEMORY", 3))
    w.para(w.expand(obj.get("intro", "{He} owned one thing {he} would have saved from a fire.")), obj["desc"], w.gen("PORTRAIT", 1))
    w.para(ch["ledger_arrival"], w.gen("LEDGER_LORE_FIRST" if first else "LEDGER_LORE_LATER", 2))
    w.para(w.gen("LEDGER_LORE", 3))
    w.scene_break()
    # Ordinary days.
    w.para(w.gen("ROUTINE", 5))
    w.para(w.gen("ROUTINE", 4))
    w.entry()
    w.entry()
    w.para(w.gen("VIGNETTES", 1))
    w.para(w.gen("ROUTINE", 3), w.gen("SETTING", 1))
    w.scene_break()
    # The friend and the adversary.
    w.para(w.expand("{CN} was {c_role}, {c_desc}."), w.gen("COMPANION", 4))
    w.dialogue(c["lines"][0])
    w.para(w.gen("COMPANION", 2))
    w.talk("COMPANION_TALK")
    w.para(w.gen("VIGNETTES", 1))
    w.para(w.expand("{AN}, {a_role}, [was the other power in {place}|was not a wicked man, exactly|had never in his life been told no by anyone he respected]."), w.expand("The trouble was that {A} {a_motive}."), w.gen("ANTAGONIST", 2))
    w.dialogue(a["lines"][0])
    w.para(w.gen("ANTAGONIST", 2))
    w.talk("ANTAGONIST_TALK")
    w.para(w.gen("ANTAGONIST", 2), w.gen("SETTING", 2))
    w.scene_break()
    # Nights.
    w.para(w.gen("NIGHT", 4))
    w.para(w.gen("NIGHT", 3), w.gen("MEMORY", 2))
    w.scene_break()
    # Time passes.
    w.para(w.gen("ROUTINE", 4))
    w.entry()
    w.entry()
    w.para(w.gen("VIGNETTES", 1))
    w.talk("COMPANION_TALK")
    w.para(w.gen("ROUTINE", 3), w.gen("SETTING", 2))
    if not first:
        w.talk("LETTERS")
    w.para(w.gen("VIGNETTES", 1))
    w.para(w.gen("HISTORY", 2), w.gen("ROUTINE", 2))
    w.scene_break()
    w.para(w.gen("WALK", 4))
    w.para(w.gen("WALK", 4))
    w.entry()
    w.entry()
    w.para(w.gen("VIGNETTES", 1))
    w.para(w.gen("ROUTINE", 3), w.gen("WALK", 2))
    w.scene_break()
    # Warnings.
    w.companion_away = ch["companion"].get("away_during_event", False)
    w.para(ev["omens"][0], w.gen("OMEN", 2))
    w.para(ev["omens"][1], w.gen("OMEN", 2))
    w.para(w.gen("OMEN", 2), w.gen("NIGHT", 1))
    w.entry(date=ch.get("omen_entry_date"))
    w.talk("COMPANION_TALK")
    w.scene_break()
    # The event.
    day = ev["date"].split(",")[0].split(" the ")[-1]  # e.g. "ninth of December"
    intro = (w.expand("[Nobody in {place} ever forgot what happened next|What happened next was remembered in {place} for the rest of the century].")
             if day in ev["onset"][0] else f"{_cap(ev['name'])} began {ev['date']}.")
    w.para(intro, ev["onset"][0], w.gen("ONSET", 1), ev["onset"][1],
           w.gen(kind + "_ONSET", 1), w.gen("ONSET", 1))
    w.para(ev["peak"][0], w.gen("PEAK", 1), ev["peak"][1], w.gen(kind + "_PEAK", 1), w.gen("PEAK", 1))
    w.para(ev["turn"][0], w.gen("TURN", 2))
    w.para(ev["turn"][1], w.gen("TURN", 1))
    w.para(ev["resolution"][0], w.gen("RESOLUTION", 2))
    w.para(ev["resolution"][1], ev["cost"], w.gen("RESOLUTION", 1))
    w.scene_break()
    # Afterwards.
    w.companion_away = False
    w.entry(ch["key_entry"])
    w.para(w.gen("AFTERMATH", 3))
    w.para(w.gen("AFTERMATH", 2))
    w.talk("COMPANION_TALK")
    w.para(ch["outcome"], w.gen("RECKONING", 2))
    w.para(w.gen("REFLECTION_FIRST" if first else "REFLECTION", 1), w.gen("REFLECTION", 2))
    w.para(w.gen("NIGHT", 2))
    w.para(w.gen("HANDOFF_LAST" if index == len(CHAPTERS) - 1 else "HANDOFF", 2), ch["handoff"])

    return Chapter(index + 1, ch["title"], f"{_cap(ch['place'])}, {ch['year']}", w.blocks)


def compose_book() -> list[Chapter]:
    rng = random.Random(SEED)
    template_bags: dict[str, Bag] = {}
    return [compose_chapter(i, ch, rng, template_bags) for i, ch in enumerate(CHAPTERS)]


def _cap(text: str) -> str:
    for i, char in enumerate(text):
        if char.isalpha():
            return text[:i] + char.upper() + text[i + 1:]
    return text


def _join_names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


# --------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------

def book_text(chapters: list[Chapter]) -> str:
    lines = [TITLE.upper(), "", "A novel in twelve chapters", ""]
    for ch in chapters:
        lines += ["", f"CHAPTER {NUMBER_WORDS[ch.number - 1].upper()}", ch.title, ch.subtitle, ""]
        for block in ch.blocks:
            if block.kind == "break":
                lines += ["*   *   *", ""]
            elif block.kind == "entry":
                lines += ["    " + block.text, ""]
            else:
                lines += [block.text, ""]
    return "\n".join(lines).rstrip() + "\n"


PAGE_LINE = 6.4  # mm between lines of body text; sets the page count
PARA_GAP = 2.4


def build_pdf(chapters: list[Chapter], contents: dict[int, int] | None):
    """Lay out the book; returns (pdf, {chapter number: first page})."""
    from fpdf import FPDF

    class BookPDF(FPDF):
        def footer(self) -> None:
            if self.page_no() > 1:
                self.set_y(-16)
                self.set_font("Times", "", 9)
                self.cell(0, 8, str(self.page_no()), align="C")

    pdf = BookPDF(format="letter")
    pdf.set_margins(left=32, top=26, right=32)
    pdf.set_auto_page_break(True, margin=24)
    pdf.set_title(TITLE)
    pdf.set_author("infinicli sample texts")
    pdf.set_creation_date(datetime(2024, 1, 1, tzinfo=timezone.utc))  # reproducible bytes

    pdf.add_page()
    pdf.set_y(90)
    pdf.set_font("Times", "B", 26)
    pdf.multi_cell(0, 12, TITLE, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    pdf.set_font("Times", "I", 14)
    pdf.multi_cell(0, 8, "A novel in twelve chapters", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(50)
    pdf.set_font("Times", "", 10)
    pdf.multi_cell(0, 5, "Written for the infinicli sample set. All people, places and events are invented.",
                   align="C", new_x="LMARGIN", new_y="NEXT")

    pdf.add_page()
    pdf.set_y(50)
    pdf.set_font("Times", "B", 16)
    pdf.cell(0, 10, "Contents", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    pdf.set_font("Times", "", 12)
    for ch in chapters:
        page = str(contents.get(ch.number, "")) if contents else "000"
        pdf.cell(pdf.epw - 20, 9, f"{NUMBER_WORDS[ch.number - 1]}.   {ch.title}")
        pdf.cell(20, 9, page, align="R", new_x="LMARGIN", new_y="NEXT")

    starts: dict[int, int] = {}
    for ch in chapters:
        pdf.add_page()
        starts[ch.number] = pdf.page_no()
        pdf.start_section(f"{ch.number}. {ch.title}")
        pdf.set_y(60)
        pdf.set_font("Times", "", 12)
        pdf.cell(0, 8, f"CHAPTER {NUMBER_WORDS[ch.number - 1].upper()}", align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
        pdf.set_font("Times", "B", 20)
        pdf.multi_cell(0, 10, ch.title, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
        pdf.set_font("Times", "I", 12)
        pdf.cell(0, 8, ch.subtitle, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(14)
        for block in ch.blocks:
            if block.kind == "break":
                pdf.set_font("Times", "", 11)
                pdf.cell(0, PAGE_LINE + PARA_GAP, "*      *      *", align="C", new_x="LMARGIN", new_y="NEXT")
            elif block.kind == "entry":
                pdf.set_font("Times", "I", 11)
                pdf.set_x(pdf.l_margin + 10)
                pdf.multi_cell(pdf.epw - 20, PAGE_LINE, block.text, align="L", new_x="LMARGIN", new_y="NEXT")
                pdf.ln(PARA_GAP)
            else:
                pdf.set_font("Times", "", 11)
                pdf.multi_cell(0, PAGE_LINE, block.text, align="J", new_x="LMARGIN", new_y="NEXT")
                pdf.ln(PARA_GAP)
    return pdf, starts


def facts_json(chapters: list[Chapter], starts: dict[int, int], last_page: int) -> dict:
    out = []
    for ch, src in zip(chapters, CHAPTERS):
        end = starts[ch.number + 1] - 1 if ch.number + 1 in starts else last_page
        out.append({
            "chapter": ch.number,
            "title": ch.title,
            "protagonist": src["protagonist"]["name"],
            "place": _cap(src["place"]),
            "pages": [starts[ch.number], end],
            "facts": src["facts"],
        })
    return {
        "book": TITLE,
        "pdf": f"{SLUG}.pdf",
        "text": f"{SLUG}.txt",
        "keyword_rule": "a summary covers a fact when every keyword of that fact occurs in it (case-insensitive substring)",
        "chapters": out,
    }


def main() -> None:
    chapters = compose_book()
    text = book_text(chapters)
    if not text.isascii():
        raise SystemExit("book text must stay ASCII for the PDF core font")
    _, starts = build_pdf(chapters, None)
    pdf, starts_again = build_pdf(chapters, starts)
    assert starts == starts_again, "contents page changed the layout"

    OUT_DIR.mkdir(parents=True, exist_ok=True)
    pdf.output(str(OUT_DIR / f"{SLUG}.pdf"))
    (OUT_DIR / f"{SLUG}.txt").write_text(text, encoding="ascii")
    facts = facts_json(chapters, starts, pdf.page_no())
    (OUT_DIR / "facts.json").write_text(json.dumps(facts, indent=2) + "\n", encoding="ascii")
    print(f"{pdf.page_no()} pages, {len(text.split())} words -> {OUT_DIR}")


if __name__ == "__main__":
    main()
