#!/usr/bin/env node
// `npm run build:names`: writes names.json, the name gazetteer the detector loads, from
// @faker-js/faker's Danish locale (MIT) and the curated supplement below. Run it when either changes.
import { writeFile } from 'node:fs/promises';
import { da } from '@faker-js/faker';

const flat = (value: unknown): string[] =>
  Array.isArray(value) ? value.map(String) : Object.values(value ?? {}).flatMap(flat);

/** Common first names in Denmark that the locale lacks, many of them names of immigrants. */
const FIRST_NAMES = `Aage Abdi Abdullah Agnieszka Ahmed Aisha Ali Amina Amir Andrzej Arne Asger Ayan Aylin Ayse Bent
  Bilal Birthe Bo Dmytro Elif Emir Erling Finn Flemming Gunnar Hamza Hassan Henning Hodan Hussein Ibrahim Inge Jens
  Jytte Kamal Karim Katarzyna Khalid Knud Kristian Leyla Lise Mariam Marek Mehmet Minh Mogens Mohamed Mohammad Mohammed
  Murat Mustafa Niels Noor Ole Olena Omar Ove Palle Per Piotr Poul Preben Priya Rasmus Said Sanne Søren Svend Tomasz
  Torben Troels Ulla Yusuf Zainab Zeynep`;

/** Common surnames in Denmark that the locale lacks. */
const SURNAMES = `Ahmad Ahmed Akhtar Ali Arslan Aydin Demir Hassan Hussain Hussein Kaya Kowalski Lind Mohamed Mohammad
  Nowak Omar Özdemir Şahin Tran Yilmaz Yıldız Østergaard`;

const words = (text: string) => text.split(/\s+/).filter(Boolean);
const unique = (names: string[]) => [...new Set(names)].sort((a, b) => a.localeCompare(b, 'da'));

const gazetteer = {
  source: '@faker-js/faker da locale (MIT) and a curated supplement in build-names.ts',
  firstNames: unique([...flat(da.person?.first_name), ...words(FIRST_NAMES)]),
  surnames: unique([...flat(da.person?.last_name), ...flat(da.person?.middle_name), ...words(SURNAMES)]),
};
await writeFile(new URL('./names.json', import.meta.url), `${JSON.stringify(gazetteer, null, 1)}\n`);
console.log(`names.json: ${gazetteer.firstNames.length} first names, ${gazetteer.surnames.length} surnames`);
